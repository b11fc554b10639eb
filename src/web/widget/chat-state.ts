import type {
  ConversationStatus,
  ConversationView,
  Message,
  MessageKind,
  Owner,
  Role,
} from './conversation.ts';

/** A message the customer typed in this page, from the click on Send until the server gave it a seq. */
export interface Send {
  localId: string;
  /** Sent with every attempt, so a retry after a lost response never posts the message twice. */
  idempotencyKey: string;
  text: string;
  status: 'sending' | 'sent' | 'failed';
  /** The server's seq once the POST answered; the bubble is then that message. */
  seq?: number;
  error?: string;
}

export type FeedbackStatus = 'asked' | 'sending' | 'sent' | 'failed';

/**
 * The 1-5 rating, asked once the conversation is over for the customer: closed (whoever closed it), or the bot's
 * resolution confirmed with "Yes" (see `isSurveyShown`).
 */
export interface Survey {
  /** The button pressed, before Send (undefined: none yet, Send is disabled). */
  rating: number | undefined;
  status: FeedbackStatus;
}

export const SURVEY_QUESTION = 'How would you rate this conversation?';
/** The server's limit on a feedback comment (FeedbackBody in src/server/schemas.ts; a server test checks both). */
export const MAX_SURVEY_COMMENT_LENGTH = 2000;

/**
 * Everything the panel shows, as plain data. `messages` is the server's truth, unique by seq and sorted;
 * `sends` are the optimistic bubbles, matched to messages by the seq their POST returned.
 */
export interface ChatState {
  messages: Message[];
  sends: Send[];
  owner: Owner;
  /** `new`: no conversation on the server yet (it is created with the first message). */
  status: ConversationStatus | 'new';
  /** The highest customer seq a `turn` event said was handled. */
  handledSeq: number;
  /** Where to show "a person will reply here": after this seq, while a person owns the conversation. */
  humanNoticeAfterSeq: number | undefined;
  feedback: { seq: number; status: 'sending' | 'sent' | 'failed' } | undefined;
  /** The resolve message whose feedback was given in an earlier page (remembered with the conversation). */
  feedbackDoneSeq: number;
  /** The resolve message the customer answered "Yes" to (0: none; remembered with the conversation). */
  confirmedSeq: number;
  /** The survey of this conversation, once it is shown and until it is answered. */
  survey: Survey | undefined;
  /** The survey was answered (in this page or an earlier one: remembered with the conversation). */
  surveyDone: boolean;
}

export type ChatAction =
  | { type: 'loaded'; view: ConversationView }
  | { type: 'messages'; messages: Message[] }
  | { type: 'state'; owner: Owner; status: ConversationStatus }
  | { type: 'turn'; seq: number }
  | { type: 'send'; localId: string; idempotencyKey: string; text: string }
  | { type: 'sent'; localId: string; message: Message }
  | { type: 'send-failed'; localId: string; error?: string }
  | { type: 'retry'; localId: string }
  | { type: 'feedback'; seq: number; resolved: boolean; status: 'sending' | 'sent' | 'failed' }
  | { type: 'survey-rate'; rating: number }
  | { type: 'survey'; status: 'sending' | 'sent' | 'failed' }
  | { type: 'reset' };

/** What a page remembers of a conversation's answers (SavedConversation), to resume without asking again. */
export interface RememberedAnswers {
  feedbackDoneSeq?: number;
  confirmedSeq?: number;
  surveyDone?: boolean;
}

export function initialChatState(remembered: RememberedAnswers = {}): ChatState {
  const { feedbackDoneSeq = 0, confirmedSeq = 0, surveyDone = false } = remembered;
  return {
    messages: [],
    sends: [],
    owner: 'bot',
    status: 'new',
    handledSeq: 0,
    humanNoticeAfterSeq: undefined,
    feedback: undefined,
    feedbackDoneSeq,
    confirmedSeq,
    survey: undefined,
    surveyDone,
  };
}

const isRating = (n: number) => Number.isInteger(n) && n >= 1 && n <= 5;

function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const known = new Set(current.map((m) => m.seq));
  const added = incoming.filter((m) => {
    if (known.has(m.seq)) return false;
    known.add(m.seq);
    return true;
  });
  if (added.length === 0) return current;
  return [...current, ...added].sort((a, b) => a.seq - b.seq);
}

const maxSeq = (messages: Message[]) => messages.reduce((max, m) => Math.max(max, m.seq), 0);

function withOwner(state: ChatState, owner: Owner): ChatState {
  if (owner === state.owner) return state;
  return {
    ...state,
    owner,
    humanNoticeAfterSeq: owner === 'human' ? maxSeq(state.messages) : undefined,
  };
}

function updateSend(state: ChatState, localId: string, patch: Partial<Send>): ChatState {
  return { ...state, sends: state.sends.map((s) => (s.localId === localId ? { ...s, ...patch } : s)) };
}

/** The pure transition of the panel's state; the controller carries out requests and dispatches the results. */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'loaded': {
      // A fresh page has not seen any turn: what the server already holds counts as handled.
      const handledSeq = state.messages.length === 0 ? maxSeq(action.view.messages) : state.handledSeq;
      const merged = { ...state, messages: mergeMessages(state.messages, action.view.messages), handledSeq };
      return { ...withOwner(merged, action.view.owner), status: action.view.status };
    }
    case 'messages':
      return { ...state, messages: mergeMessages(state.messages, action.messages) };
    case 'state':
      return { ...withOwner(state, action.owner), status: action.status };
    case 'turn':
      return action.seq > state.handledSeq ? { ...state, handledSeq: action.seq } : state;
    case 'send':
      return {
        ...state,
        sends: [
          ...state.sends,
          {
            localId: action.localId,
            idempotencyKey: action.idempotencyKey,
            text: action.text,
            status: 'sending',
          },
        ],
      };
    case 'sent': {
      const seq = action.message.seq;
      const next = { ...state, messages: mergeMessages(state.messages, [action.message]) };
      // Two sends can never be the same message: a second claim (should not happen) keeps the first bubble.
      if (state.sends.some((s) => s.seq === seq && s.localId !== action.localId)) {
        return { ...next, sends: next.sends.filter((s) => s.localId !== action.localId) };
      }
      return updateSend(next, action.localId, { status: 'sent', seq, error: undefined });
    }
    case 'send-failed':
      return updateSend(state, action.localId, { status: 'failed', error: action.error });
    case 'retry':
      return updateSend(state, action.localId, { status: 'sending', error: undefined });
    case 'feedback': {
      // An answer given is final: nothing reopens "Did this resolve your issue?" for that message.
      if (action.seq <= state.feedbackDoneSeq) return state;
      const next = { ...state, feedback: { seq: action.seq, status: action.status } };
      if (action.status !== 'sent') return next;
      return {
        ...next,
        feedbackDoneSeq: action.seq,
        ...(action.resolved ? { confirmedSeq: action.seq } : {}),
      };
    }
    case 'survey-rate': {
      // Only while the survey is shown and not on its way: a click during the send changes nothing.
      const status = state.survey?.status ?? 'asked';
      if (!isSurveyShown(state) || !isRating(action.rating) || status === 'sending' || status === 'sent')
        return state;
      return { ...state, survey: { rating: action.rating, status } };
    }
    case 'survey': {
      const rating = state.survey?.rating;
      if (rating === undefined) return state;
      const next = { ...state, survey: { rating, status: action.status } };
      return action.status === 'sent' ? { ...next, surveyDone: true } : next;
    }
    case 'reset':
      // The conversation is gone (token expired, closed and restarted): keep only what was never delivered.
      return { ...initialChatState(), sends: state.sends.filter((s) => s.seq === undefined) };
  }
}

/** One row of the message list, keyed so that a bubble keeps its element from "sending" to "sent". */
export type Entry =
  | {
      type: 'message';
      key: string;
      role: Role;
      text: string;
      kind: MessageKind | undefined;
      status: Send['status'];
      error: string | undefined;
      /** Buttons under a bot question (ask choices, confirm Yes / No). */
      choices: string[];
      choicesEnabled: boolean;
    }
  | { type: 'notice'; key: string; text: string }
  | { type: 'feedback'; key: string; status: FeedbackStatus }
  | { type: 'survey'; key: string; status: FeedbackStatus; rating: number | undefined };

export const HUMAN_NOTICE = 'A person from our team will reply here.';
export const CLOSED_NOTICE = 'This conversation is closed. Write again to start a new one.';

function choicesOf(m: Message): string[] {
  if (m.role === 'customer') return [];
  if (m.choices && m.choices.length > 0) return m.choices;
  return m.kind === 'confirm' ? ['Yes', 'No'] : [];
}

/** The rows to show, in order: server messages by seq (optimistic bubbles in their place), then unsent bubbles. */
export function chatEntries(state: ChatState): Entry[] {
  const claimed = new Map<number, Send>();
  for (const s of state.sends) if (s.seq !== undefined) claimed.set(s.seq, s);
  const unclaimed = state.sends.filter((s) => s.seq === undefined);

  // A message that reached the stream before its POST answered is this page's own bubble: hide the newest
  // server copies of the texts still in flight until the POST says which seq is ours.
  const inFlight = new Map<string, number>();
  for (const s of unclaimed)
    if (s.status === 'sending') inFlight.set(s.text, (inFlight.get(s.text) ?? 0) + 1);
  const hidden = new Set<number>();
  let lastQuestion = -1;
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i]!;
    const left = inFlight.get(m.text) ?? 0;
    if (m.role === 'customer' && left > 0 && !claimed.has(m.seq)) {
      inFlight.set(m.text, left - 1);
      hidden.add(m.seq);
    } else if (lastQuestion === -1 && (m.role === 'customer' || choicesOf(m).length > 0)) lastQuestion = i;
  }

  // Buttons stay live only under the newest question, while nothing was sent after it and the bot leads.
  const open = state.owner === 'bot' && state.status !== 'closed' && unclaimed.length === 0;
  const entries: Entry[] = [];
  const notice = state.humanNoticeAfterSeq;
  let noticeShown = notice === undefined;
  const showNotice = () => {
    entries.push({ type: 'notice', key: 'human', text: HUMAN_NOTICE });
    noticeShown = true;
  };
  state.messages.forEach((m, i) => {
    if (hidden.has(m.seq)) return;
    if (!noticeShown && m.seq > (notice ?? 0)) showNotice();
    const own = claimed.get(m.seq);
    const choices = choicesOf(m);
    entries.push({
      type: 'message',
      key: own ? own.localId : `s${m.seq}`,
      role: m.role,
      text: m.text,
      kind: m.kind,
      status: 'sent',
      error: undefined,
      choices,
      choicesEnabled: open && i === lastQuestion && choices.length > 0,
    });
  });
  if (!noticeShown) showNotice();

  if (state.status === 'closed') entries.push({ type: 'notice', key: 'closed', text: CLOSED_NOTICE });
  const feedback = feedbackStatus(state, unclaimed.length > 0);
  if (feedback) entries.push({ type: 'feedback', key: 'feedback', status: feedback });
  if (isSurveyShown(state) && unclaimed.length === 0) {
    const survey = state.survey ?? { rating: undefined, status: 'asked' };
    entries.push({ type: 'survey', key: 'survey', ...survey });
  }
  for (const s of unclaimed) {
    entries.push({
      type: 'message',
      key: s.localId,
      role: 'customer',
      text: s.text,
      kind: undefined,
      status: s.status,
      error: s.error,
      choices: [],
      choicesEnabled: false,
    });
  }
  return entries;
}

function feedbackStatus(state: ChatState, unsent: boolean): FeedbackStatus | undefined {
  const resolveSeq = lastResolveSeq(state);
  if (resolveSeq === undefined) return undefined;
  const customerAfter = unsent || state.messages.some((m) => m.role === 'customer' && m.seq > resolveSeq);
  if (customerAfter) return undefined;
  const answer = state.feedback?.seq === resolveSeq ? state.feedback.status : undefined;
  // Once closed, the survey asks instead: an answer under way or given stays, a failed one is not offered again
  // (the survey never shows while "Did this resolve your issue?" can still be answered).
  if (state.status === 'closed') return answer === 'failed' ? undefined : answer;
  if (answer) return answer;
  return state.feedbackDoneSeq >= resolveSeq ? undefined : 'asked';
}

/**
 * Whether the 1-5 survey shows: the conversation is over for the customer, and the survey was not answered in an
 * earlier page (in this page its "Thanks" stays). Over means closed (by the bot or a person), or the customer
 * answered "Yes" to "Did this resolve your issue?" under the bot's last resolve message and wrote nothing since:
 * the bot does not close what it resolved. A "No" hands the conversation to a person, and the survey waits for
 * the close. Writing again to a closed conversation starts a new one (`reset`), which asks afresh.
 */
export function isSurveyShown(state: ChatState): boolean {
  if (state.surveyDone && state.survey?.status !== 'sent') return false;
  return state.status === 'closed' || isResolutionConfirmed(state) || isResolvedWithoutQuestion(state);
}

/**
 * The bot resolved the request after the customer said yes in the conversation itself (a workflow's "Does that
 * answer your question?", then its goodbye): status resolved, and no "Did this resolve your issue?" to answer.
 */
function isResolvedWithoutQuestion(state: ChatState): boolean {
  return state.status === 'resolved' && state.owner === 'bot' && lastResolveSeq(state) === undefined;
}

function isResolutionConfirmed(state: ChatState): boolean {
  const resolveSeq = lastResolveSeq(state);
  if (resolveSeq === undefined || state.confirmedSeq < resolveSeq) return false;
  return !state.messages.some((m) => m.role === 'customer' && m.seq > resolveSeq);
}

/** Whether to show the typing indicator: a customer message is on its way or waits for the bot's turn. */
export function isTyping(state: ChatState): boolean {
  if (state.owner !== 'bot' || state.status === 'closed') return false;
  if (state.sends.some((s) => s.status === 'sending')) return true;
  let lastCustomer = 0;
  let lastReply = 0;
  for (const m of state.messages) {
    if (m.role === 'customer') lastCustomer = m.seq;
    else if (m.role === 'bot' || m.role === 'agent') lastReply = m.seq;
  }
  return lastCustomer > state.handledSeq && lastCustomer > lastReply;
}

/** The seq of the last resolve message (the one feedback is about). */
export function lastResolveSeq(state: ChatState): number | undefined {
  let seq: number | undefined;
  for (const m of state.messages) if (m.kind === 'resolve' && m.role !== 'customer') seq = m.seq;
  return seq;
}
