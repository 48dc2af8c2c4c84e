/**
 * The people of a run, written straight into the store before any instance starts: users,
 * their matches and one session each, through Tandem's own Store and session-token code.
 * Signing in thousands of users over HTTP would spend most of a run on scrypt; here one
 * password hash serves every user, and the handshakes still look each session up and check
 * each match, as they do for any client. The ceilings need no store: their "session" is the
 * email itself.
 */
import { hashSessionToken, newSessionToken } from '../src/auth/sessions.js';
import { hashPassword } from '../src/auth/passwords.js';
import { parseDatabaseUrl } from '../src/config-values.js';
import { openStore, type Store } from '../src/store/index.js';
import { mapLimit } from './server.js';

/** One user of a pair, as the load clients need it. */
export interface Person {
  email: string;
  /** The `sessionid` cookie value. */
  session: string;
}

/** Mentor and mentee of pair `index`. */
export interface SeededPair {
  index: number;
  mentor: Person;
  mentee: Person;
}

const SESSION_DAYS = 1;
/** Store calls in flight while seeding; PostgreSQL's pool takes them in parallel, SQLite in turn. */
const SEED_CONCURRENCY = 8;

export const mentorEmail = (index: number) => `mentor-${index}@bench.tandem.test`;
export const menteeEmail = (index: number) => `mentee-${index}@bench.tandem.test`;

/** Opens the store a Tandem instance with `DATABASE_URL=databaseUrl` would open (and migrates it). */
export async function openBenchStore(databaseUrl: string): Promise<Store> {
  const problems: string[] = [];
  const config = parseDatabaseUrl(databaseUrl, SEED_CONCURRENCY, problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return openStore(config, { timeoutMs: 60_000 });
}

/** `count` pairs for the ceilings: nothing stored, each session is the user's own email. */
export function relayPairs(count: number): SeededPair[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    mentor: { email: mentorEmail(index), session: mentorEmail(index) },
    mentee: { email: menteeEmail(index), session: menteeEmail(index) },
  }));
}

/** Creates `count` matched pairs in the store at `databaseUrl`, each user with a live session. */
export async function seedPairs(databaseUrl: string, count: number): Promise<SeededPair[]> {
  const store = await openBenchStore(databaseUrl);
  try {
    const passwordHash = await hashPassword('bench-user-password');
    const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
    const person = async (email: string, role: 'MENTOR' | 'MENTEE', index: number): Promise<Person> => {
      const user = await store.accounts.create({ email, passwordHash, firstName: role === 'MENTOR' ? 'Mentor' : 'Mentee', lastName: String(index), role });
      const session = newSessionToken();
      await store.sessions.create(hashSessionToken(session), user.id, expiresAt);
      return { email, session };
    };
    return await mapLimit(
      Array.from({ length: count }, (_, index) => index),
      SEED_CONCURRENCY,
      async (index) => {
        const mentor = await person(mentorEmail(index), 'MENTOR', index);
        const mentee = await person(menteeEmail(index), 'MENTEE', index);
        await store.matches.create(mentor.email, mentee.email);
        return { index, mentor, mentee };
      },
    );
  } finally {
    await store.close();
  }
}
