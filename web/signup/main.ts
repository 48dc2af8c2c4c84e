/**
 * The registration form's password rules: every rule listed up front, under the password
 * field, each marked as met or not as the person types (password, email or names). The rules
 * and their words are the server's own (src/protocol/password-rules.ts); only "not one of the
 * most common passwords" waits for the server, whose list is too large to send.
 */
import { brokenPasswordRules, PASSWORD_RULES, type PasswordRule } from '../../src/protocol/password-rules.js';
import { byId, h } from '../shared/dom.js';

const form = byId<HTMLFormElement>('register-form');
const list = byId('register-password-rules');
const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';

const items = new Map<PasswordRule, { item: HTMLElement; state: HTMLElement }>(
  PASSWORD_RULES.map(({ rule, shown }) => {
    const state = h('span', { class: 'visually-hidden' }, '');
    const item = h('li', { 'data-rule': rule }, shown, state);
    return [rule, { item, state }];
  }),
);
list.replaceChildren(...[...items.values()].map(({ item }) => item));

/** Marks each rule: met, not met, or (before any typing, and for the server's list) not known yet. */
function check(): void {
  const password = field('password');
  const broken = new Set(brokenPasswordRules(password, { email: field('email'), firstName: field('first_name'), lastName: field('last_name') }));
  for (const [rule, { item, state }] of items) {
    const verdict = password === '' || rule === 'common' ? 'unknown' : broken.has(rule) ? 'broken' : 'met';
    item.dataset.state = verdict;
    state.textContent = verdict === 'met' ? ' (met)' : verdict === 'broken' ? ' (not met)' : '';
  }
}

form.addEventListener('input', check);
form.addEventListener('reset', () => queueMicrotask(check));
check();
