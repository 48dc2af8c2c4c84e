/**
 * The first run's setup page: creates the first admin with the token of the link Tandem
 * printed at start (`?token=`), then points to the admin page, where the new admin is
 * signed in already.
 */
import { ApiError, TandemApi, type PublicUser } from '../../src/client/index.js';
import { byId, setText } from '../shared/dom.js';
import { accountLabel, friendlyError } from '../shared/people.js';

const api = new TandemApi('');
const form = byId<HTMLFormElement>('setup-form');
const problem = byId('setup-error');
const token = new URLSearchParams(window.location.search).get('token') ?? '';

/** What to say about a refused setup; the rest as the other pages say it. */
function setupError(error: unknown): string {
  if (error instanceof ApiError && error.code.startsWith('setup_')) return error.message;
  if (error instanceof ApiError && error.code === 'weak_password') return error.message;
  return friendlyError(error);
}

async function createAdmin(): Promise<void> {
  const data = new FormData(form);
  const field = (name: string) => String(data.get(name) ?? '').trim();
  const body = { token, email: field('email'), password: String(data.get('password') ?? ''), first_name: field('first_name'), last_name: field('last_name') };
  if (!body.email || !body.password || !body.first_name || !body.last_name) return setText(problem, 'Fill in every field.');
  const button = form.querySelector('button')!;
  button.disabled = true;
  try {
    const admin = await api.request<PublicUser>('POST', '/api/setup', body);
    setText(byId('setup-admin'), accountLabel(admin));
    byId('setup-view').hidden = true;
    byId('setup-done').hidden = false;
  } catch (error) {
    setText(problem, setupError(error));
  } finally {
    button.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void createAdmin();
});
if (!token) setText(problem, 'This page needs the link Tandem printed when it started (with its ?token=).');
byId<HTMLInputElement>('setup-first').focus();
