import type { ChatController } from './chat-controller.ts';
import { type ChatState, chatEntries, type Entry, isTyping } from './chat-state.ts';
import { el, icon } from './dom.ts';
import { linkify } from './linkify.ts';
import { mountSurvey } from './survey-view.ts';
import { WIDGET_CSS } from './widget-styles.ts';

export interface ChatViewProps {
  host: HTMLElement;
  chat: ChatController;
  title: string;
  open: boolean;
}

const SPEAKER = { customer: 'You', bot: 'Assistant', agent: 'Support team', system: 'Notice' } as const;
const INTRO = 'Hi! Ask us about an order, a delivery, a return or your account.';

function adoptStyles(root: ShadowRoot): void {
  if (
    'adoptedStyleSheets' in root &&
    typeof CSSStyleSheet === 'function' &&
    'replaceSync' in CSSStyleSheet.prototype
  ) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    // Browsers without constructable stylesheets (Safari before 16.4): a style element, which a strict CSP blocks.
    root.append(el('style', { text: WIDGET_CSS }));
  }
}

function textNodes(text: string, links: boolean): Node[] {
  if (!links) return [document.createTextNode(text)];
  return linkify(text).map((part) =>
    part.kind === 'text'
      ? document.createTextNode(part.text)
      : el('a', {
          text: part.text,
          attrs: { href: part.href, target: '_blank', rel: 'noopener noreferrer' },
        }),
  );
}

/**
 * Renders the launcher and the panel in a shadow root of `host` and keeps them in step with the controller's
 * state. Rows are keyed, so a bubble keeps its element (and the live region announces only what is new).
 */
export function mountChatView(props: ChatViewProps): { setOpen(open: boolean): void } {
  const { chat } = props;
  const root = props.host.attachShadow({ mode: 'open' });
  adoptStyles(root);

  const badge = el('span', { class: 'badge', attrs: { 'aria-hidden': 'true' } });
  badge.hidden = true;
  const openIcon = icon('chat');
  const closeIcon = icon('close');
  const launcher = el(
    'button',
    { class: 'launcher', attrs: { type: 'button', 'aria-controls': 'sb-panel' } },
    [openIcon, closeIcon, badge],
  );
  const subtitle = el('p', { class: 'subtitle' });
  const closeButton = el(
    'button',
    { class: 'close', attrs: { type: 'button', 'aria-label': 'Close chat' } },
    [icon('close')],
  );
  const log = el('div', {
    class: 'log',
    attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' },
  });
  const intro = el('div', { class: 'msg bot' }, [el('div', { class: 'bubble', text: INTRO })]);
  const typing = el('div', { class: 'typing' }, [
    el('span', { class: 'sr', text: 'The assistant is typing' }),
    el('span', { class: 'dot' }),
    el('span', { class: 'dot' }),
    el('span', { class: 'dot' }),
  ]);
  const scroll = el('div', { class: 'scroll' }, [intro, log, typing]);
  const input = el('textarea', {
    attrs: {
      id: 'sb-input',
      rows: '1',
      maxlength: '4000',
      placeholder: 'Write a message…',
      enterkeyhint: 'send',
    },
  });
  const form = el('form', { class: 'composer' }, [
    el('label', { class: 'sr', text: 'Your message', attrs: { for: 'sb-input' } }),
    input,
    el('button', { class: 'send', attrs: { type: 'submit', 'aria-label': 'Send' } }, [icon('send')]),
  ]);
  const panel = el(
    'section',
    { class: 'panel', attrs: { id: 'sb-panel', role: 'dialog', 'aria-labelledby': 'sb-title' } },
    [
      el('header', { class: 'head' }, [
        el('div', {}, [el('h2', { class: 'title', text: props.title, attrs: { id: 'sb-title' } }), subtitle]),
        closeButton,
      ]),
      scroll,
      form,
    ],
  );
  root.append(panel, launcher);

  let open = false;
  let seenSeq = 0;
  let hadConversation = false;
  const rows = new Map<string, { node: HTMLElement; extra: HTMLElement; signature: string }>();
  const surveys = new WeakMap<HTMLElement, ReturnType<typeof mountSurvey>>();

  function setOpen(next: boolean, focus = true): void {
    open = next;
    panel.hidden = !next;
    openIcon.toggleAttribute('hidden', next);
    closeIcon.toggleAttribute('hidden', !next);
    launcher.setAttribute('aria-expanded', String(next));
    if (next) {
      seenSeq = lastReplySeq(chat.getState());
      render(chat.getState());
      scroll.scrollTop = scroll.scrollHeight;
      if (focus) input.focus();
    } else {
      render(chat.getState());
      if (focus) launcher.focus();
    }
  }

  function submit(): void {
    if (chat.send(input.value)) {
      input.value = '';
      input.rows = 1;
      scroll.scrollTop = scroll.scrollHeight;
    }
  }

  launcher.addEventListener('click', () => setOpen(!open));
  closeButton.addEventListener('click', () => setOpen(false));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      setOpen(false);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    input.rows = Math.min(5, input.value.split('\n').length);
  });

  function buildExtra(entry: Entry, extra: HTMLElement): void {
    if (entry.type === 'survey') {
      // Updated in place, never rebuilt: the comment being typed and the focus stay.
      let survey = surveys.get(extra);
      if (!survey) {
        survey = mountSurvey(extra, chat);
        surveys.set(extra, survey);
      }
      survey.update(entry);
      return;
    }
    extra.replaceChildren();
    if (entry.type === 'notice') {
      extra.append(entry.text);
    } else if (entry.type === 'feedback') {
      if (entry.status === 'sent') {
        extra.append(el('p', { text: 'Thanks for your feedback!' }));
        return;
      }
      const disabled = entry.status === 'sending';
      const answer = (label: string, resolved: boolean) => {
        const button = el('button', { class: 'choice', text: label, attrs: { type: 'button' } });
        button.disabled = disabled;
        button.addEventListener('click', () => chat.sendFeedback(resolved));
        return button;
      };
      extra.append(
        el('p', { text: 'Did this resolve your issue?' }),
        el('div', { class: 'choices' }, [answer('Yes', true), answer('No', false)]),
      );
      if (entry.status === 'failed')
        extra.append(el('p', { class: 'error', text: 'Not sent. Please try again.' }));
    } else if (entry.choices.length > 0) {
      const group = el('div', { class: 'choices', attrs: { role: 'group', 'aria-label': 'Answers' } });
      for (const choice of entry.choices) {
        const button = el('button', { class: 'choice', text: choice, attrs: { type: 'button' } });
        button.disabled = !entry.choicesEnabled;
        button.addEventListener('click', () => {
          for (const b of group.querySelectorAll('button')) b.disabled = true;
          chat.send(choice);
        });
        group.append(button);
      }
      extra.append(group);
    } else if (entry.status === 'sending') {
      extra.append(el('span', { text: 'Sending…' }));
    } else if (entry.status === 'failed') {
      const retry = el('button', { class: 'linkbtn', text: 'Retry', attrs: { type: 'button' } });
      retry.addEventListener('click', () => chat.retry(entry.key));
      extra.append(el('span', { text: entry.error ?? 'Not sent.' }), retry);
    }
  }

  function buildRow(entry: Entry): { node: HTMLElement; extra: HTMLElement } {
    if (entry.type !== 'message') {
      const node = el('div', { class: entry.type });
      return { node, extra: node };
    }
    const bot = entry.role === 'bot' || entry.role === 'agent';
    const extra = el('div');
    const node = el('div', { class: `msg ${entry.role}${entry.kind ? ` ${entry.kind}` : ''}` }, [
      entry.role === 'agent'
        ? el('p', { class: 'label', text: SPEAKER.agent })
        : el('span', { class: 'sr', text: `${SPEAKER[entry.role]}: ` }),
      el('div', { class: 'bubble' }, textNodes(entry.text, bot)),
      extra,
    ]);
    return { node, extra };
  }

  function render(state: ChatState): void {
    const nearBottom = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 80;
    const entries = chatEntries(state);
    const keep = new Set<string>();
    let previous: HTMLElement | undefined;
    for (const entry of entries) {
      keep.add(entry.key);
      const signature = JSON.stringify(entry);
      let row = rows.get(entry.key);
      if (!row) {
        const built = buildRow(entry);
        row = { ...built, signature: '' };
        rows.set(entry.key, row);
      }
      if (row.signature !== signature) {
        buildExtra(entry, row.extra);
        row.signature = signature;
        if (entry.type === 'message') {
          row.node.classList.toggle('sending', entry.status === 'sending');
          row.node.classList.toggle('failed', entry.status === 'failed');
          row.extra.className = entry.choices.length > 0 ? '' : 'meta';
          row.extra.hidden = row.extra.childNodes.length === 0;
        }
      }
      const expected = previous ? previous.nextElementSibling : log.firstElementChild;
      if (expected !== row.node) {
        if (previous) previous.after(row.node);
        else log.prepend(row.node);
      }
      previous = row.node;
    }
    for (const [key, row] of rows) {
      if (!keep.has(key)) {
        row.node.remove();
        rows.delete(key);
      }
    }

    intro.hidden = entries.length > 0 || state.status !== 'new';
    typing.hidden = !isTyping(state);
    subtitle.textContent =
      state.owner === 'human' ? 'A person from our team will reply here' : 'Our assistant replies in seconds';

    // Unread replies while the panel is closed; what a resumed conversation already held counts as seen.
    const replySeq = lastReplySeq(state);
    if (!hadConversation && state.status !== 'new') {
      hadConversation = true;
      if (!open) seenSeq = replySeq;
    }
    if (open) seenSeq = replySeq;
    const unread = state.messages.filter((m) => m.role !== 'customer' && m.seq > seenSeq).length;
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    launcher.setAttribute(
      'aria-label',
      open
        ? 'Close support chat'
        : `Open support chat${unread > 0 ? ` (${unread} new message${unread > 1 ? 's' : ''})` : ''}`,
    );
    if (open && nearBottom) scroll.scrollTop = scroll.scrollHeight;
  }

  chat.subscribe(render);
  setOpen(props.open, false);
  return { setOpen: (next) => setOpen(next) };
}

function lastReplySeq(state: ChatState): number {
  let seq = 0;
  for (const m of state.messages) if (m.role !== 'customer') seq = m.seq;
  return seq;
}
