import type { ChatController } from './chat-controller.ts';
import { type Entry, MAX_SURVEY_COMMENT_LENGTH, SURVEY_QUESTION } from './chat-state.ts';
import { el } from './dom.ts';

type SurveyEntry = Extract<Entry, { type: 'survey' }>;

export const SURVEY_THANKS = 'Thanks for rating this conversation!';
export const SURVEY_FAILED = 'Not sent. Please try again.';

/**
 * The survey (after close, or after "Yes" to the bot's resolution: `isSurveyShown`), built once in `host` and then
 * updated in place: a re-render must not wipe the comment being typed or move the focus. Five toggle buttons in a
 * labelled group (Tab and Enter / Space, as any button), an optional comment, Send.
 *
 * @example
 * const survey = mountSurvey(row, chat);
 * survey.update({ type: 'survey', key: 'survey', status: 'asked', rating: undefined });
 */
export function mountSurvey(host: HTMLElement, chat: ChatController): { update(entry: SurveyEntry): void } {
  const question = el('p', { class: 'question', text: SURVEY_QUESTION, attrs: { id: 'sb-survey-q' } });
  const scale = el('div', {
    class: 'choices scale',
    attrs: { role: 'group', 'aria-labelledby': 'sb-survey-q' },
  });
  const buttons = [1, 2, 3, 4, 5].map((rating) => {
    const button = el('button', {
      class: 'choice',
      text: String(rating),
      attrs: { type: 'button', 'aria-label': `${rating} out of 5`, 'aria-pressed': 'false' },
    });
    button.addEventListener('click', () => chat.rateSurvey(rating));
    scale.append(button);
    return button;
  });
  const comment = el('textarea', {
    attrs: {
      id: 'sb-survey-comment',
      rows: '2',
      maxlength: String(MAX_SURVEY_COMMENT_LENGTH),
      placeholder: 'Anything to add? (optional)',
    },
  });
  const send = el('button', { class: 'submit', text: 'Send rating', attrs: { type: 'submit' } });
  const error = el('p', { class: 'error', text: SURVEY_FAILED, attrs: { role: 'alert' } });
  const form = el('form', { class: 'survey-form' }, [
    question,
    scale,
    el('label', { class: 'sr', text: 'Your comment (optional)', attrs: { for: 'sb-survey-comment' } }),
    comment,
    send,
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    chat.sendSurvey(comment.value);
  });
  const thanks = el('p', { text: SURVEY_THANKS, attrs: { tabindex: '-1' } });
  host.replaceChildren(form, thanks);

  return {
    update(entry) {
      const sent = entry.status === 'sent';
      const sending = entry.status === 'sending';
      // The Send button that had the focus disappears with the form: the focus goes to the thanks.
      const root = host.getRootNode() as Document | ShadowRoot;
      const refocus = sent && !form.hidden && form.contains(root.activeElement);
      form.hidden = sent;
      thanks.hidden = !sent;
      error.hidden = entry.status !== 'failed';
      for (const [i, button] of buttons.entries()) {
        button.setAttribute('aria-pressed', String(entry.rating === i + 1));
        button.disabled = sending;
      }
      comment.disabled = sending;
      send.disabled = sending || entry.rating === undefined;
      send.textContent = sending ? 'Sending…' : 'Send rating';
      if (refocus) thanks.focus();
    },
  };
}
