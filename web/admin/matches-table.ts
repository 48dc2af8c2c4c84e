/**
 * The table of active matches, each with an Unmatch button that asks once more before
 * acting (the second press within a few seconds confirms).
 */
import type { PublicMatch } from '../../src/client/index.js';
import { h } from '../shared/dom.js';
import { fullName } from '../shared/people.js';

const CONFIRM_WINDOW_MS = 5000;

/** Renders `matches` into `body`; `onUnmatch` gets the mentee's email after confirmation. */
export function renderMatches(body: HTMLTableSectionElement, matches: readonly PublicMatch[], onUnmatch: (match: PublicMatch) => void): void {
  body.replaceChildren(...matches.map((match) => matchRow(match, onUnmatch)));
}

function matchRow(match: PublicMatch, onUnmatch: (match: PublicMatch) => void): HTMLTableRowElement {
  const mentor = fullName(match.mentor);
  const mentee = fullName(match.mentee);
  const label = `Unmatch ${mentee} from ${mentor}`;
  const button = h('button', { type: 'button', class: 'danger', 'aria-label': label, 'data-mentee': match.mentee.email }, 'Unmatch');
  let armed: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', () => {
    if (armed === undefined) {
      button.textContent = 'Confirm unmatch';
      button.setAttribute('aria-label', `Confirm: ${label}`);
      armed = setTimeout(() => {
        armed = undefined;
        button.textContent = 'Unmatch';
        button.setAttribute('aria-label', label);
      }, CONFIRM_WINDOW_MS);
      return;
    }
    clearTimeout(armed);
    button.disabled = true;
    onUnmatch(match);
  });
  const since = new Date(match.matched_at);
  return h(
    'tr',
    { 'data-mentee': match.mentee.email },
    h('td', { 'data-label': 'Mentor' }, mentor, h('span', { class: 'email' }, match.mentor.email)),
    h('td', { 'data-label': 'Mentee' }, mentee, h('span', { class: 'email' }, match.mentee.email)),
    h('td', { 'data-label': 'Since' }, h('time', { datetime: match.matched_at }, since.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }))),
    h('td', {}, button),
  );
}
