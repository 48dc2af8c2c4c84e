/** A tiny HTTP client for tests: JSON in and out, one session cookie per `Agent`. */
import { ADMIN, passwordOf } from './accounts.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Agent {
  /** The raw `sessionid` value, once logged in. */
  session: string | undefined;
  email = '';

  /** `timeoutMs`: how long one request may take before it fails (none by default). */
  constructor(
    readonly base: string,
    private readonly timeoutMs?: number,
  ) {}

  get cookie(): string | undefined {
    return this.session === undefined ? undefined : `sessionid=${this.session}`;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.timeoutMs !== undefined) init.signal = AbortSignal.timeout(this.timeoutMs);
    const h = init.headers as Record<string, string>;
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.base + path, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Left as text: the test will say what it expected.
    }
    const setCookie = response.headers.get('set-cookie');
    const match = setCookie ? /sessionid=([^;]*)/.exec(setCookie) : null;
    if (match) this.session = match[1] === '' ? undefined : match[1];
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  async login(email: string, password: string): Promise<this> {
    const reply = await this.post('/api/auth/login', { email, password });
    if (reply.status !== 200) throw new Error(`login of ${email} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    this.email = email;
    return this;
  }
}

export async function loginAdmin(base: string): Promise<Agent> {
  return new Agent(base).login(ADMIN.email, ADMIN.password);
}

let counter = 0;
/** A unique email for this test process. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${process.pid}.${++counter}@tandem.test`;
}

export interface PersonSpec {
  role: 'MENTOR' | 'MENTEE' | 'ADMIN';
  first?: string;
  last?: string;
}

/** Creates a user through the admin API and logs them in. */
export async function createUser(admin: Agent, spec: PersonSpec, base = admin.base): Promise<Agent> {
  const email = uniqueEmail(spec.role.toLowerCase());
  const password = passwordOf(email);
  const reply = await admin.post('/api/users', {
    email,
    password,
    first_name: spec.first ?? spec.role[0] + spec.role.slice(1).toLowerCase(),
    last_name: spec.last ?? String(counter),
    role: spec.role,
  });
  if (reply.status !== 201) throw new Error(`creating ${email} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return new Agent(base).login(email, password);
}

export async function match(admin: Agent, mentor: Agent, mentee: Agent): Promise<void> {
  const reply = await admin.post('/api/matches', { mentor_email: mentor.email, mentee_email: mentee.email });
  if (reply.status !== 201) throw new Error(`match failed: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** A matched mentor and mentee, both logged in; `menteeBase` lets the mentee use another instance. */
export async function matchedPair(admin: Agent, menteeBase = admin.base): Promise<{ mentor: Agent; mentee: Agent }> {
  const mentor = await createUser(admin, { role: 'MENTOR', first: 'Mentor', last: 'Person' });
  const mentee = await createUser(admin, { role: 'MENTEE', first: 'Mentee', last: 'Person' }, menteeBase);
  await match(admin, mentor, mentee);
  return { mentor, mentee };
}

/** A registration body for a new MENTEE with a unique email and a password the policy accepts; `overrides` replace fields. */
export const person = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail('reg'),
  password: 'correct horse',
  first_name: 'Ada',
  last_name: 'Lovelace',
  role: 'MENTEE',
  ...overrides,
});
