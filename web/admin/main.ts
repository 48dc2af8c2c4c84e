/**
 * The admin page: sign in as an ADMIN, create users of any role, find people in the
 * directory (who is waiting, each mentor's load) and match them, see every active match,
 * pause or resume one, and end one (which closes the pair's chats and archives them), and
 * retry the webhook deliveries that failed.
 */
import type { PublicRole } from '../../src/protocol/http.js';
import type { AdminTopic } from '../../src/protocol/user-stream.js';
import { TandemApi, type PublicMatch, type PublicUser } from '../../src/client/index.js';
import { byId, h, setText } from '../shared/dom.js';
import { accountLabel, friendlyError, fullName, roleName } from '../shared/people.js';
import { Directory } from './directory.js';
import type { WebhookDelivery } from '../../src/protocol/webhooks.js';
import { renderDeliveries } from './deliveries-table.js';
import { renderMatches } from './matches-table.js';
import { ProgrammeView } from './programme.js';
import { loadSafeguarding } from './safeguarding.js';
import { LiveCounts } from './live.js';
import { followViews } from './views.js';

const api = new TandemApi('');
const views = { auth: byId('auth-view'), notAdmin: byId('not-admin'), admin: byId('admin-view') };
/** Users this page knows of, by role, to suggest in the match form. */
const known = { MENTOR: new Map<string, string>(), MENTEE: new Map<string, string>() };

function showView(which: keyof typeof views | null): void {
  for (const [name, view] of Object.entries(views)) view.hidden = name !== which;
}

function showSignIn(notice = ''): void {
  byId('account').hidden = true;
  showView('auth');
  setText(byId('sign-in-error'), notice);
  byId<HTMLInputElement>('sign-in-email').focus();
}

async function showSignedIn(user: PublicUser): Promise<void> {
  byId('account').hidden = false;
  setText(byId('whoami'), accountLabel(user));
  if (user.role !== 'ADMIN') return showView('notAdmin');
  showView('admin');
  followViews(() => live.refresh());
  // The stream's first `connection_established` reads the counts and every list.
  live.start();
}

/** Re-reads what a signal says changed; every decision also changes the audit log, which Safeguarding shows. */
function reload(what: AdminTopic | 'all'): void {
  void loadSafeguarding(api);
  if (what === 'all' || what === 'matches' || what === 'audit') void Promise.all([loadMatches(), directory.load(), programme.load()]);
  if (what === 'all' || what === 'deliveries') void loadDeliveries();
}

const live = new LiveCounts(api, reload);

async function loadDeliveries(): Promise<void> {
  let deliveries: WebhookDelivery[];
  try {
    deliveries = await api.webhookDeliveries('failed');
  } catch (error) {
    setText(byId('deliveries-error'), friendlyError(error));
    return;
  }
  setText(byId('deliveries-error'), '');
  renderDeliveries(byId<HTMLTableSectionElement>('deliveries-body'), deliveries, (delivery) => void retry(delivery));
  byId('no-deliveries').hidden = deliveries.length > 0;
  setText(byId('delivery-count'), `(${deliveries.length})`);
}

async function retry(delivery: WebhookDelivery): Promise<void> {
  setText(byId('deliveries-ok'), '');
  setText(byId('deliveries-error'), '');
  try {
    await api.retryWebhookDelivery(delivery.id);
    setText(byId('deliveries-ok'), `${delivery.type} ${delivery.id} will be sent again.`);
  } catch (error) {
    setText(byId('deliveries-error'), friendlyError(error));
  }
  await loadDeliveries();
}

const programme = new ProgrammeView(api);

const directory = new Directory(api, (entry) => {
  remember(entry);
  const input = byId<HTMLInputElement>(entry.role === 'MENTOR' ? 'match-mentor' : 'match-mentee');
  input.value = entry.email;
  const other = byId<HTMLInputElement>(entry.role === 'MENTOR' ? 'match-mentee' : 'match-mentor');
  (other.value === '' ? other : byId<HTMLButtonElement>('match-submit')).focus();
});

async function loadMatches(): Promise<void> {
  let matches: PublicMatch[];
  try {
    matches = await api.matches();
  } catch (error) {
    setText(byId('matches-error'), friendlyError(error));
    return;
  }
  setText(byId('matches-error'), '');
  for (const match of matches) remember(match.mentor, match.mentee);
  renderMatches(byId<HTMLTableSectionElement>('matches-body'), matches, {
    onUnmatch: (match) => void unmatch(match),
    onPause: (match, paused) => void setPaused(match, paused),
  });
  byId('no-matches').hidden = matches.length > 0;
  setText(byId('match-count'), `(${matches.length})`);
}

async function unmatch(match: PublicMatch): Promise<void> {
  setText(byId('matches-ok'), '');
  setText(byId('matches-error'), '');
  try {
    await api.endMatch(match.mentee.email);
    setText(byId('matches-ok'), `${fullName(match.mentee)} and ${fullName(match.mentor)} are no longer matched.`);
  } catch (error) {
    setText(byId('matches-error'), friendlyError(error));
  }
  await loadMatches();
}

async function setPaused(match: PublicMatch, paused: boolean): Promise<void> {
  setText(byId('matches-ok'), '');
  setText(byId('matches-error'), '');
  try {
    await api.setMatchPaused(match.mentee.email, paused);
    setText(byId('matches-ok'), `${fullName(match.mentee)} and ${fullName(match.mentor)} are ${paused ? 'paused' : 'active again'}.`);
  } catch (error) {
    setText(byId('matches-error'), friendlyError(error));
  }
  await loadMatches();
}

function remember(...users: PublicUser[]): void {
  for (const user of users) {
    if (user.role === 'MENTOR' || user.role === 'MENTEE') known[user.role].set(user.email, fullName(user));
  }
  for (const [role, id] of [
    ['MENTOR', 'known-mentors'],
    ['MENTEE', 'known-mentees'],
  ] as const) {
    byId(id).replaceChildren(...[...known[role]].map(([email, name]) => h('option', { value: email }, name)));
  }
}

/** Wires a form: validates, runs `submit` with the button disabled, reports success or the error. */
function handleForm(formId: string, prefix: string, submit: (data: FormData) => Promise<string>): void {
  const form = byId<HTMLFormElement>(formId);
  const error = byId(`${prefix}-error`);
  const ok = byId(`${prefix}-ok`);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setText(error, '');
    setText(ok, '');
    if (!form.checkValidity()) {
      setText(error, 'Please fill in every field correctly.');
      form.querySelector<HTMLInputElement>('input:invalid')?.focus();
      return;
    }
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = true;
    submit(new FormData(form))
      .then((message) => {
        setText(ok, message);
        form.reset();
        form.querySelector<HTMLInputElement>('input')?.focus();
      })
      .catch((failure: unknown) => setText(error, friendlyError(failure)))
      .finally(() => (button.disabled = false));
  });
}

const field = (data: FormData, name: string) => String(data.get(name) ?? '').trim();

handleForm('user-form', 'user', async (data) => {
  const user = await api.createUser({
    email: field(data, 'email'),
    password: String(data.get('password') ?? ''),
    first_name: field(data, 'first_name'),
    last_name: field(data, 'last_name'),
    role: field(data, 'role') as PublicRole, // the form offers the three roles; the server validates
  });
  remember(user);
  void directory.load();
  return `Created ${roleName(user.role).toLowerCase()} ${fullName(user)} (${user.email}).`;
});

handleForm('match-form', 'match', async (data) => {
  const match = await api.createMatch(field(data, 'mentor_email'), field(data, 'mentee_email'));
  await Promise.all([loadMatches(), directory.load()]);
  return `Matched ${fullName(match.mentee)} with ${fullName(match.mentor)}.`;
});

byId<HTMLFormElement>('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(event.currentTarget as HTMLFormElement);
  const error = byId('sign-in-error');
  setText(error, '');
  api.login(field(data, 'email'), String(data.get('password') ?? '')).then(
    (user) => void showSignedIn(user),
    (failure: unknown) => {
      setText(error, friendlyError(failure));
      byId<HTMLInputElement>('sign-in-password').select();
    },
  );
});

byId('sign-out').addEventListener('click', () => {
  live.stop();
  void api.logout().finally(() => showSignIn('You have signed out.'));
});

api.session().then(
  (user) => (user ? void showSignedIn(user) : showSignIn()),
  () => showSignIn(),
);
