import { describe, expect, it } from 'vitest';
import {
  type ChatAction,
  type ChatState,
  chatEntries,
  chatReducer,
  initialChatState,
  isSurveyShown,
  isTyping,
} from './chat-state.ts';
import type { ConversationView, Message } from './conversation.ts';

const at = '2025-01-01T00:00:00.000Z';
const bot = (seq: number, text: string, extra: Partial<Message> = {}): Message => ({
  seq,
  role: 'bot',
  text,
  at,
  kind: 'reply',
  ...extra,
});
const customer = (seq: number, text: string): Message => ({ seq, role: 'customer', text, at });
const view = (messages: Message[], extra: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1',
  owner: 'bot',
  status: 'open',
  messages,
  ...extra,
});
const run = (actions: ChatAction[], from: ChatState = initialChatState()) =>
  actions.reduce(chatReducer, from);
const texts = (state: ChatState) =>
  chatEntries(state).map((e) => (e.type === 'message' ? `${e.key}:${e.text}:${e.status}` : `${e.type}`));

describe('chatReducer: messages', () => {
  it('de-duplicates by seq and keeps seq order whatever the arrival order', () => {
    const state = run([
      { type: 'loaded', view: view([bot(1, 'Hi')]) },
      { type: 'messages', messages: [bot(3, 'c'), customer(2, 'b')] },
      { type: 'messages', messages: [customer(2, 'b'), bot(1, 'Hi'), bot(3, 'c')] },
      { type: 'loaded', view: view([bot(1, 'Hi'), customer(2, 'b'), bot(3, 'c')]) },
    ]);
    expect(state.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(texts(state)).toEqual(['s1:Hi:sent', 's2:b:sent', 's3:c:sent']);
  });

  it('keeps the optimistic bubble (same key) when the POST returns its seq', () => {
    const sending = run([
      { type: 'loaded', view: view([bot(1, 'Hi')]) },
      { type: 'send', localId: 'L1', idempotencyKey: 'K1', text: 'Where is my order?' },
    ]);
    expect(texts(sending)).toEqual(['s1:Hi:sent', 'L1:Where is my order?:sending']);
    const sent = chatReducer(sending, {
      type: 'sent',
      localId: 'L1',
      message: customer(2, 'Where is my order?'),
    });
    expect(texts(sent)).toEqual(['s1:Hi:sent', 'L1:Where is my order?:sent']);
    // the same message arriving on the stream afterwards changes nothing
    expect(
      texts(chatReducer(sent, { type: 'messages', messages: [customer(2, 'Where is my order?')] })),
    ).toEqual(texts(sent));
  });

  it('hides the stream copy of a message whose POST has not answered yet (no double bubble)', () => {
    const state = run([
      { type: 'loaded', view: view([bot(1, 'Hi'), customer(2, 'Yes')]) },
      { type: 'send', localId: 'L1', idempotencyKey: 'K1', text: 'Yes' },
      { type: 'messages', messages: [customer(3, 'Yes'), bot(4, 'Great')] },
    ]);
    // the older "Yes" (seq 2, from an earlier page) stays; the newest copy is hidden behind the bubble
    expect(texts(state)).toEqual(['s1:Hi:sent', 's2:Yes:sent', 's4:Great:sent', 'L1:Yes:sending']);
    const sent = chatReducer(state, { type: 'sent', localId: 'L1', message: customer(3, 'Yes') });
    expect(texts(sent)).toEqual(['s1:Hi:sent', 's2:Yes:sent', 'L1:Yes:sent', 's4:Great:sent']);
  });

  it('marks a failed send, retries it under the same idempotency key, and keeps undelivered sends on reset', () => {
    let state = run([
      { type: 'send', localId: 'L1', idempotencyKey: 'K1', text: 'hello' },
      { type: 'send-failed', localId: 'L1', error: 'Not sent' },
    ]);
    expect(chatEntries(state)[0]).toMatchObject({ key: 'L1', status: 'failed', error: 'Not sent' });
    state = chatReducer(state, { type: 'retry', localId: 'L1' });
    expect(state.sends[0]).toMatchObject({ status: 'sending', idempotencyKey: 'K1', error: undefined });
    state = run([{ type: 'loaded', view: view([bot(1, 'Hi')]) }, { type: 'reset' }], state);
    expect(state.messages).toEqual([]);
    expect(state.sends.map((s) => s.localId)).toEqual(['L1']);
  });
});

describe('chatEntries: buttons', () => {
  it('enables the choices of the newest question only, and disables them once the customer answers', () => {
    const ask = bot(2, 'Which order?', { kind: 'ask', choices: ['SB-1', 'SB-2'] });
    let state = run([{ type: 'loaded', view: view([bot(1, 'Hi'), ask]) }]);
    expect(chatEntries(state)[1]).toMatchObject({ choices: ['SB-1', 'SB-2'], choicesEnabled: true });
    state = chatReducer(state, { type: 'send', localId: 'L1', idempotencyKey: 'K', text: 'SB-1' });
    expect(chatEntries(state)[1]).toMatchObject({ choicesEnabled: false });
    state = chatReducer(state, { type: 'sent', localId: 'L1', message: customer(3, 'SB-1') });
    expect(chatEntries(state)[1]).toMatchObject({ choicesEnabled: false });
  });

  it('gives confirm messages Yes / No, disabled when a newer question came or a person took over', () => {
    const confirm = bot(1, 'Does that answer your question?', { kind: 'confirm' });
    let state = run([{ type: 'loaded', view: view([confirm]) }]);
    expect(chatEntries(state)[0]).toMatchObject({ choices: ['Yes', 'No'], choicesEnabled: true });
    const later = chatReducer(state, {
      type: 'messages',
      messages: [bot(2, 'Pick', { kind: 'ask', choices: ['a'] })],
    });
    expect(chatEntries(later).map((e) => e.type === 'message' && e.choicesEnabled)).toEqual([false, true]);
    state = chatReducer(state, { type: 'state', owner: 'human', status: 'escalated' });
    expect(chatEntries(state)[0]).toMatchObject({ choicesEnabled: false });
  });
});

describe('chatEntries: hand-off and feedback', () => {
  it('shows the person-will-reply line where the owner became human, and drops it when the bot is back', () => {
    let state = run([
      {
        type: 'loaded',
        view: view([customer(1, 'I want a person'), bot(2, 'Passing you on', { kind: 'escalate' })]),
      },
      { type: 'state', owner: 'human', status: 'escalated' },
      { type: 'messages', messages: [{ seq: 3, role: 'agent', text: 'Hi, Sam here', at }] },
    ]);
    expect(texts(state)).toEqual([
      's1:I want a person:sent',
      's2:Passing you on:sent',
      'notice',
      's3:Hi, Sam here:sent',
    ]);
    state = chatReducer(state, { type: 'state', owner: 'bot', status: 'open' });
    expect(texts(state)).not.toContain('notice');
  });

  it('shows the notice at the end when a resumed conversation is already with a person', () => {
    const state = run([{ type: 'loaded', view: view([customer(1, 'agent please')], { owner: 'human' }) }]);
    expect(texts(state)).toEqual(['s1:agent please:sent', 'notice']);
  });

  it('asks for feedback after a resolve message, until it is sent or the customer writes again', () => {
    const resolved = run([
      { type: 'loaded', view: view([customer(1, 'q'), bot(2, 'Done!', { kind: 'resolve' })]) },
    ]);
    expect(chatEntries(resolved).at(-1)).toEqual({ type: 'feedback', key: 'feedback', status: 'asked' });
    const sent = run(
      [
        { type: 'feedback', seq: 2, resolved: false, status: 'sending' },
        { type: 'feedback', seq: 2, resolved: false, status: 'sent' },
      ],
      resolved,
    );
    expect(chatEntries(sent).at(-1)).toMatchObject({ type: 'feedback', status: 'sent' });
    expect(sent.feedbackDoneSeq).toBe(2);
    const wroteAgain = chatReducer(resolved, {
      type: 'send',
      localId: 'L',
      idempotencyKey: 'K',
      text: 'more',
    });
    expect(chatEntries(wroteAgain).some((e) => e.type === 'feedback')).toBe(false);
    // given in an earlier page: not asked again after a reload
    const reloaded = run(
      [{ type: 'loaded', view: view([bot(2, 'Done!', { kind: 'resolve' })]) }],
      initialChatState({ feedbackDoneSeq: 2 }),
    );
    expect(chatEntries(reloaded).some((e) => e.type === 'feedback')).toBe(false);
  });
});

describe('the survey after close', () => {
  const closed = (owner: 'bot' | 'human' = 'bot') =>
    run([
      { type: 'loaded', view: view([customer(1, 'q'), bot(2, 'Done!', { kind: 'resolve' })]) },
      { type: 'state', owner, status: 'closed' },
    ]);
  const survey = (state: ChatState) => chatEntries(state).filter((e) => e.type === 'survey');

  it('is asked once the conversation is closed, by the bot or by a person, instead of "Did this resolve"', () => {
    const open = run([
      { type: 'loaded', view: view([customer(1, 'q'), bot(2, 'Done!', { kind: 'resolve' })]) },
    ]);
    expect(survey(open)).toEqual([]);
    expect(texts(open).at(-1)).toBe('feedback');
    for (const owner of ['bot', 'human'] as const) {
      expect(texts(closed(owner)).slice(-2)).toEqual(['notice', 'survey']);
      expect(survey(closed(owner))).toEqual([
        { type: 'survey', key: 'survey', status: 'asked', rating: undefined },
      ]);
    }
  });

  it('keeps the picked rating (1 to 5 only), sends it, and says thanks', () => {
    const picked = run(
      [
        { type: 'survey-rate', rating: 2 },
        { type: 'survey-rate', rating: 4 },
        { type: 'survey-rate', rating: 6 },
        { type: 'survey-rate', rating: 0 },
        { type: 'survey-rate', rating: 3.5 },
      ],
      closed(),
    );
    expect(picked.survey).toEqual({ rating: 4, status: 'asked' });
    const sending = chatReducer(picked, { type: 'survey', status: 'sending' });
    // no change of mind while it is on its way
    expect(chatReducer(sending, { type: 'survey-rate', rating: 1 })).toBe(sending);
    const sent = chatReducer(sending, { type: 'survey', status: 'sent' });
    expect(survey(sent)).toEqual([{ type: 'survey', key: 'survey', status: 'sent', rating: 4 }]);
    expect(sent.surveyDone).toBe(true);
    expect(chatReducer(sent, { type: 'survey-rate', rating: 1 })).toBe(sent);
  });

  it('says a failure and lets the customer change the rating and send again', () => {
    const failed = run(
      [
        { type: 'survey-rate', rating: 4 },
        { type: 'survey', status: 'sending' },
        { type: 'survey', status: 'failed' },
      ],
      closed(),
    );
    expect(survey(failed)).toEqual([{ type: 'survey', key: 'survey', status: 'failed', rating: 4 }]);
    expect(failed.surveyDone).toBe(false);
    const changed = chatReducer(failed, { type: 'survey-rate', rating: 5 });
    expect(changed.survey).toEqual({ rating: 5, status: 'failed' });
    const sent = run(
      [
        { type: 'survey', status: 'sending' },
        { type: 'survey', status: 'sent' },
      ],
      changed,
    );
    expect(sent.survey).toEqual({ rating: 5, status: 'sent' });
  });

  it('is not asked again after a reload once answered, nor before a rating is picked to send', () => {
    const reloaded = run(
      [
        { type: 'loaded', view: view([customer(1, 'q')], { status: 'closed' }) },
        { type: 'survey-rate', rating: 3 },
      ],
      initialChatState({ surveyDone: true }),
    );
    expect(isSurveyShown(reloaded)).toBe(false);
    expect(survey(reloaded)).toEqual([]);
    expect(reloaded.survey).toBeUndefined();
    // Send without a rating does nothing
    const unrated = closed();
    expect(chatReducer(unrated, { type: 'survey', status: 'sending' })).toBe(unrated);
  });

  it('is dropped when the customer writes again (a new conversation starts) and asked afresh for that one', () => {
    const answered = run(
      [
        { type: 'survey-rate', rating: 4 },
        { type: 'survey', status: 'sending' },
        { type: 'survey', status: 'sent' },
        { type: 'reset' },
      ],
      closed(),
    );
    expect(answered.survey).toBeUndefined();
    expect(answered.surveyDone).toBe(false);
    const next = run(
      [
        { type: 'loaded', view: view([customer(1, 'again')]) },
        { type: 'state', owner: 'human', status: 'closed' },
      ],
      answered,
    );
    expect(survey(next)).toEqual([{ type: 'survey', key: 'survey', status: 'asked', rating: undefined }]);
  });
});

describe('the survey after "Yes" to the bot\'s resolution', () => {
  const resolved = (messages: Message[] = [customer(1, 'q'), bot(2, 'Done!', { kind: 'resolve' })]) =>
    run([{ type: 'loaded', view: view(messages, { status: 'resolved' }) }]);
  const yes = (status: 'sending' | 'sent' | 'failed', seq = 2): ChatAction => ({
    type: 'feedback',
    seq,
    resolved: true,
    status,
  });
  const rows = (state: ChatState) =>
    chatEntries(state)
      .filter((e) => e.type === 'feedback' || e.type === 'survey')
      .map((e) => `${e.type}:${e.status}`);

  it('follows a "Yes" once it is stored, never while "Did this resolve your issue?" can be answered', () => {
    const asked = resolved();
    expect(rows(asked)).toEqual(['feedback:asked']);
    expect(rows(run([yes('sending')], asked))).toEqual(['feedback:sending']);
    const failed = run([yes('sending'), yes('failed')], asked);
    expect(rows(failed)).toEqual(['feedback:failed']);
    expect(chatReducer(failed, { type: 'survey-rate', rating: 5 })).toBe(failed);
    const confirmed = run([yes('sending'), yes('sent')], failed);
    expect(confirmed.confirmedSeq).toBe(2);
    expect(rows(confirmed)).toEqual(['feedback:sent', 'survey:asked']);
    expect(isSurveyShown(confirmed)).toBe(true);
    const answered = run(
      [
        { type: 'survey-rate', rating: 5 },
        { type: 'survey', status: 'sending' },
        { type: 'survey', status: 'sent' },
      ],
      confirmed,
    );
    expect(answered.surveyDone).toBe(true);
    expect(rows(answered)).toEqual(['feedback:sent', 'survey:sent']);
  });

  it('does not follow a "No": the survey waits until the person it went to closes the conversation', () => {
    const no = run(
      [
        { type: 'feedback', seq: 2, resolved: false, status: 'sending' },
        { type: 'feedback', seq: 2, resolved: false, status: 'sent' },
      ],
      resolved(),
    );
    expect(no.confirmedSeq).toBe(0);
    expect(rows(no)).toEqual(['feedback:sent']);
    const withPerson = run(
      [
        { type: 'state', owner: 'human', status: 'escalated' },
        { type: 'messages', messages: [{ seq: 3, role: 'agent', text: 'Sam here', at }] },
      ],
      no,
    );
    expect(isSurveyShown(withPerson)).toBe(false);
    const closed = chatReducer(withPerson, { type: 'state', owner: 'human', status: 'closed' });
    expect(rows(closed)).toEqual(['feedback:sent', 'survey:asked']);
  });

  it('gives way when the customer writes again, and follows only a "Yes" to the newest resolution', () => {
    const confirmed = run([yes('sending'), yes('sent')], resolved());
    const writing = chatReducer(confirmed, { type: 'send', localId: 'L', idempotencyKey: 'K', text: 'and?' });
    expect(rows(writing)).toEqual([]);
    const wrote = chatReducer(writing, { type: 'sent', localId: 'L', message: customer(3, 'and?') });
    expect(isSurveyShown(wrote)).toBe(false);
    const again = chatReducer(wrote, {
      type: 'messages',
      messages: [bot(4, 'Also done', { kind: 'resolve' })],
    });
    expect(rows(again)).toEqual(['feedback:asked']);
    expect(rows(run([yes('sending', 4), yes('sent', 4)], again))).toEqual(['feedback:sent', 'survey:asked']);
  });

  it('is still asked after a reload when "Yes" was given, and not once answered', () => {
    const loaded = (remembered: Parameters<typeof initialChatState>[0]) =>
      run(
        [{ type: 'loaded', view: view([bot(2, 'Done!', { kind: 'resolve' })], { status: 'resolved' }) }],
        initialChatState(remembered),
      );
    expect(rows(loaded({ feedbackDoneSeq: 2, confirmedSeq: 2 }))).toEqual(['survey:asked']);
    expect(rows(loaded({ feedbackDoneSeq: 2 }))).toEqual([]);
    expect(rows(loaded({ feedbackDoneSeq: 2, confirmedSeq: 2, surveyDone: true }))).toEqual([]);
  });

  it('never shows the survey next to an answerable "Did this resolve your issue?", on any path', () => {
    // Every sequence of up to four of these events, from a conversation the bot just resolved.
    const events: ChatAction[] = [
      yes('sending'),
      yes('sent'),
      yes('failed'),
      { type: 'feedback', seq: 2, resolved: false, status: 'sent' },
      { type: 'messages', messages: [customer(3, 'more')] },
      { type: 'messages', messages: [bot(4, 'Done again', { kind: 'resolve' })] },
      { type: 'state', owner: 'human', status: 'escalated' },
      { type: 'state', owner: 'bot', status: 'closed' },
      { type: 'survey-rate', rating: 5 },
    ];
    let states = [resolved()];
    let surveyed = 0;
    for (let depth = 0; depth < 4; depth++) {
      states = states.flatMap((state) => events.map((event) => chatReducer(state, event)));
      for (const state of states) {
        const shown = rows(state);
        if (!shown.some((r) => r.startsWith('survey:'))) continue;
        surveyed++;
        expect(shown).not.toContain('feedback:asked');
        expect(shown).not.toContain('feedback:failed');
      }
    }
    expect(surveyed).toBeGreaterThan(0);
  });
});

describe('the survey after the bot resolved in the conversation itself', () => {
  // What the live workflows do: "Does that answer your question?" (a confirm with Yes / No), the customer's
  // "Yes", then the bot's goodbye as a reply and the status resolved. No "Did this resolve your issue?" is asked.
  const lines = [
    customer(1, 'Where is my order?'),
    bot(2, 'It has shipped.'),
    bot(3, 'Does that answer your question?', { kind: 'confirm', choices: ['Yes', 'No'] }),
    customer(4, 'Yes'),
    bot(5, 'Glad I could help. Have a good day!'),
  ];

  it('is asked once the bot resolved it, and not while the conversation is still open', () => {
    const resolved = run([{ type: 'loaded', view: view(lines, { status: 'resolved' }) }]);
    expect(isSurveyShown(resolved)).toBe(true);
    expect(chatEntries(resolved).filter((e) => e.type === 'survey')).toHaveLength(1);
    const open = run([{ type: 'loaded', view: view(lines.slice(0, 3)) }]);
    expect(isSurveyShown(open)).toBe(false);
    // Writing again reopens the conversation: the survey goes until it is resolved again.
    expect(isSurveyShown(run([{ type: 'state', owner: 'bot', status: 'open' }], resolved))).toBe(false);
  });
});

describe('isTyping', () => {
  it('runs from the send until the turn event for that message', () => {
    let state = run([
      { type: 'loaded', view: view([bot(1, 'Hi')]) },
      { type: 'send', localId: 'L1', idempotencyKey: 'K', text: 'hello' },
    ]);
    expect(isTyping(state)).toBe(true);
    state = chatReducer(state, { type: 'sent', localId: 'L1', message: customer(2, 'hello') });
    expect(isTyping(state)).toBe(true);
    expect(isTyping(chatReducer(state, { type: 'turn', seq: 2 }))).toBe(false);
  });

  it('stops at a bot message after the customer message, on failure, and when a person owns the chat', () => {
    const base = run([
      { type: 'loaded', view: view([bot(1, 'Hi')]) },
      { type: 'messages', messages: [customer(2, 'hello')] },
    ]);
    expect(isTyping(base)).toBe(true);
    expect(isTyping(chatReducer(base, { type: 'messages', messages: [bot(3, 'Sure')] }))).toBe(false);
    expect(isTyping(chatReducer(base, { type: 'state', owner: 'human', status: 'escalated' }))).toBe(false);
    const failed = run([
      { type: 'send', localId: 'L1', idempotencyKey: 'K', text: 'x' },
      { type: 'send-failed', localId: 'L1' },
    ]);
    expect(isTyping(failed)).toBe(false);
  });

  it('does not resume typing for a conversation loaded after a reload', () => {
    expect(isTyping(run([{ type: 'loaded', view: view([bot(1, 'Hi'), customer(2, 'hello')]) }]))).toBe(false);
  });
});
