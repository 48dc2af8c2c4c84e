/**
 * The table of active matches, each with its state, a Pause (or Resume) button, and an
 * Unmatch button that asks once more before acting (the second press within a few seconds
 * confirms); unmatching archives the conversation.
 */
import type { PublicMatch } from '../../src/client/index.js';
import { h } from '../shared/dom.js';
import { fullName } from '../shared/people.js';

const CONFIRM_WINDOW_MS = 5000;

/** What the rows' buttons do: `onUnmatch` runs after confirmation; `onPause` with the state wanted. */
export interface MatchActions {
  onUnmatch(match: PublicMatch): void;
  onPause(match: PublicMatch, paused: boolean): void;
}

/** Renders `matches` into `body`. */
export function renderMatches(body: HTMLTableSectionElement, matches: readonly PublicMatch[], actions: MatchActions): void {
  body.replaceChildren(...matches.map((match) => matchRow(match, actions)));
}

function matchRow(match: PublicMatch, actions: MatchActions): HTMLTableRowElement {
  const onUnmatch = actions.onUnmatch;
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
  const pause = h(
    'button',
    { type: 'button', class: 'quiet', 'aria-label': `${match.paused ? 'Resume' : 'Pause'} ${mentee} and ${mentor}` },
    match.paused ? 'Resume' : 'Pause',
  );
  pause.addEventListener('click', () => {
    pause.disabled = true;
    actions.onPause(match, !match.paused);
  });
  const since = new Date(match.matched_at);
  return h(
    'tr',
    { 'data-mentee': match.mentee.email },
    h('td', { 'data-label': 'Mentor' }, mentor, h('span', { class: 'email' }, match.mentor.email)),
    h('td', { 'data-label': 'Mentee' }, mentee, h('span', { class: 'email' }, match.mentee.email)),
    h(
      'td',
      { 'data-label': 'Since' },
      h('time', { datetime: match.matched_at }, since.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })),
    ),
    h('td', { 'data-label': 'State' }, h('span', { class: 'state', 'data-paused': String(match.paused) }, match.paused ? 'Paused' : 'Active')),
    h('td', {}, h('span', { class: 'actions' }, pause, button)),
  );
}
