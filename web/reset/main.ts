/**
 * The password reset page: sets a new password with the token of the one-time link an admin
 * made (`#token=`, a fragment so that it reaches no server log and no Referer), then points
 * to sign-in.
 */
import { ApiError, TandemApi } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { friendlyError } from '../shared/people.js';

const api = new TandemApi('');
const form = byId<HTMLFormElement>('reset-form');
const problem = byId('reset-error');
const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

/** What to say about a refused reset: the server's own words for the link and the password rules. */
function resetError(error: unknown): string {
  if (error instanceof ApiError && (error.code === 'reset_link_invalid' || error.code === 'weak_password')) return error.message;
  return friendlyError(error);
}

async function setPassword(): Promise<void> {
  const password = String(new FormData(form).get('password') ?? '');
  if (password.length === 0) return setText(problem, 'Enter a new password.');
  const button = form.querySelector('button')!;
  button.disabled = true;
  try {
    await api.request('POST', '/api/auth/password-reset', { token, password });
    byId('reset-view').hidden = true;
    byId('reset-done').hidden = false;
  } catch (error) {
    setText(problem, resetError(error));
  } finally {
    button.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void setPassword();
});
if (!token) setText(problem, 'This page needs the whole link an admin gave you (with its #token=).');
byId<HTMLInputElement>('reset-password').focus();
