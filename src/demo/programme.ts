/**
 * The demo programme: an admin, two mentors, three mentees, three matches, a few days of
 * conversation (read up to the last messages), and one message the filter held under
 * `moderated`, so that every page has something to show. Written through the store and the
 * importer, the same code a real programme's data goes through.
 */
import { Readable } from 'node:stream';
import { hashPassword } from '../auth/passwords.js';
import { importNdjson } from '../import/importer.js';
import type { Role, Store } from '../store/index.js';

export interface DemoPerson {
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  password: string;
}

const person = (email: string, firstName: string, lastName: string, role: Role, password: string): DemoPerson => ({
  email,
  firstName,
  lastName,
  role,
  password,
});

export const DEMO_ADMIN = person('admin@demo.tandem', 'Ada', 'Okoro', 'ADMIN', 'demo-coordinator-7');
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  DEMO_ADMIN,
  person('maria@demo.tandem', 'Maria', 'Silva', 'MENTOR', 'demo-mentor-pass-1'),
  person('tom@demo.tandem', 'Tom', 'Ng', 'MENTOR', 'demo-mentor-pass-2'),
  person('sam@demo.tandem', 'Sam', 'Okafor', 'MENTEE', 'demo-mentee-pass-1'),
  person('mia@demo.tandem', 'Mia', 'Lee', 'MENTEE', 'demo-mentee-pass-2'),
  person('leo@demo.tandem', 'Leo', 'Brandt', 'MENTEE', 'demo-mentee-pass-3'),
];

/** mentor → mentees */
const MATCHES: ReadonlyArray<[string, string]> = [
  ['maria@demo.tandem', 'sam@demo.tandem'],
  ['maria@demo.tandem', 'mia@demo.tandem'],
  ['tom@demo.tandem', 'leo@demo.tandem'],
];

/** [days ago, hour, from, to, text]; the last line of each pair is left unread. */
const HISTORY: ReadonlyArray<[number, number, string, string, string]> = [
  [3, 16, 'maria@demo.tandem', 'sam@demo.tandem', 'Hi Sam! I am Maria, your mentor this term. What would you like to get better at?'],
  [3, 17, 'sam@demo.tandem', 'maria@demo.tandem', 'Hi Maria! Maths, mostly. Fractions are hard.'],
  [2, 16, 'maria@demo.tandem', 'sam@demo.tandem', 'Fractions it is. Try the three on the sheet and tell me where you get stuck.'],
  [2, 18, 'sam@demo.tandem', 'maria@demo.tandem', 'Done two of them! The third one has different bottoms.'],
  [1, 16, 'maria@demo.tandem', 'sam@demo.tandem', 'Different denominators: find a number both go into first. Want to try together on Thursday?'],
  [0, 9, 'sam@demo.tandem', 'maria@demo.tandem', 'Yes please! Thursday works.'],
  [2, 15, 'maria@demo.tandem', 'mia@demo.tandem', 'Welcome, Mia! How is the science project going?'],
  [2, 19, 'mia@demo.tandem', 'maria@demo.tandem', 'Good! We are building a rain gauge.'],
  [0, 10, 'maria@demo.tandem', 'mia@demo.tandem', 'Lovely. Measure it every morning at the same time, and keep a table.'],
  [3, 14, 'tom@demo.tandem', 'leo@demo.tandem', 'Hello Leo, I am Tom. Shall we start with the book you are reading?'],
  [3, 20, 'leo@demo.tandem', 'tom@demo.tandem', 'It is about a boy and a dragon. I am on chapter 4.'],
  [1, 17, 'tom@demo.tandem', 'leo@demo.tandem', 'Great. Write three sentences about what the dragon wants.'],
];

/** What the filter holds: a mentee offering a way to talk off the platform. */
const HELD = {
  from: 'leo@demo.tandem',
  to: 'tom@demo.tandem',
  content: 'Can I text you instead? My number is 07700 900123',
  rule: 'phone',
  matched: '07700 900123',
};

/** Fills an empty store with the demo programme; `now` anchors "days ago". */
export async function seedDemo(store: Store, scryptN: number, now: Date): Promise<void> {
  for (const p of DEMO_PEOPLE) {
    if (await store.accounts.byEmail(p.email)) continue;
    const passwordHash = await hashPassword(p.password, scryptN);
    await store.accounts.create({ email: p.email, passwordHash, firstName: p.firstName, lastName: p.lastName, role: p.role });
  }
  const day = 24 * 3600 * 1000;
  const midnight = new Date(now);
  midnight.setUTCHours(0, 0, 0, 0);
  const lastOfPair = new Map<string, number>();
  const rows = HISTORY.map(([ago, hour, from, to, text], index) => {
    const at = new Date(midnight.getTime() - ago * day + hour * 3600 * 1000);
    // Today's later hours may lie ahead of now: keep everything in the past.
    const timestamp = new Date(Math.min(at.getTime(), now.getTime() - (HISTORY.length - index) * 60_000));
    lastOfPair.set([from, to].sort().join(' '), index);
    return { index, from, to, text, timestamp };
  }).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const lines = [
    ...MATCHES.map(([mentor, mentee]) => ({ kind: 'match', mentor_email: mentor, mentee_email: mentee })),
    ...rows.map((row) => ({
      kind: 'message',
      external_id: `demo-${row.index}`,
      sender_email: row.from,
      receiver_email: row.to,
      content: row.text,
      timestamp: row.timestamp.toISOString(),
      is_read: lastOfPair.get([row.from, row.to].sort().join(' ')) !== row.index,
    })),
  ];
  const report = await importNdjson(Readable.from([lines.map((line) => JSON.stringify(line)).join('\n')]), { store, mentorCapacity: null });
  if (report.refused_total > 0) throw new Error(`the demo's history was refused: ${JSON.stringify(report.refused)}`);
  const leo = (await store.accounts.byEmail(HELD.from))!;
  const pair = await store.matches.activePairWith(leo, HELD.to);
  if (!pair) throw new Error('the demo pair of the held message is not matched');
  await store.moderation.hold({ pairId: pair.pair.id, senderId: leo.id, content: HELD.content, clientId: 'demo-held', rule: HELD.rule, matched: HELD.matched });
}
