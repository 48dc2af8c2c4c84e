/**
 * The admin page's word list card: what the filter holds besides contact details (Tandem's
 * safeguarding list, the programme's file, and what coordinators added or took off), with a
 * phrase added, taken off, or put back at once on every instance (PUT /api/moderation/words).
 */
import type { TandemApi, WordListView } from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { friendlyError } from '../shared/people.js';

function phraseItem(phrase: string, label: string, act: () => Promise<unknown>, status: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const button = h('button', { type: 'button', class: 'quiet', 'aria-label': `${label}: ${phrase}` }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    setText(status, '');
    act().then(reload, (error: unknown) => {
      setText(status, friendlyError(error));
      button.disabled = false;
    });
  });
  return h('li', { class: 'phrase' }, h('span', {}, phrase), button);
}

/** Shows `words` in the card; every change reloads it. */
export function showWordList(api: TandemApi, words: WordListView): void {
  const status = byId('words-status');
  const reload = async () => showWordList(api, await api.words());
  setText(
    byId('words-summary'),
    `${words.applied ? 'The filter holds' : 'Under CONVERSATION_POLICY=moderated the filter would hold'} ${words.phrases} phrases: ` +
      `Tandem's safeguarding list (${words.tandem.length}), the programme's file (${words.file.length}), ${words.added.length} added, ${words.removed.length} taken off.`,
  );
  const none = () => h('li', { class: 'empty' }, 'None.');
  const added = words.added.map((phrase) => phraseItem(phrase, 'Take off', () => api.changeWords({ remove: [phrase] }), status, reload));
  const removed = words.removed.map((phrase) => phraseItem(phrase, 'Put back', () => api.changeWords({ add: [phrase] }), status, reload));
  byId('words-added').replaceChildren(...(added.length > 0 ? added : [none()]));
  byId('words-removed').replaceChildren(...(removed.length > 0 ? removed : [none()]));
  const form = byId<HTMLFormElement>('words-form');
  form.onsubmit = (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('words-phrase');
    const phrase = input.value.trim();
    if (phrase === '') return setText(status, 'Type a word or a phrase first.');
    const remove = (event.submitter as HTMLButtonElement | null)?.value === 'remove';
    api.changeWords(remove ? { remove: [phrase] } : { add: [phrase] }).then(
      (next) => {
        input.value = '';
        setText(status, remove ? `"${phrase}" is taken off the list.` : `"${phrase}" is on the list.`);
        showWordList(api, next);
      },
      (error: unknown) => setText(status, friendlyError(error)),
    );
  };
}
