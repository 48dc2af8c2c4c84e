/**
 * The verdict against the store, once the servers have stopped: what each pair's messages
 * look like in the database, compared with what the clients saw. A message acknowledged but
 * not stored, stored but not delivered to every mentor tab, stored twice, or stored out of
 * sending order is a fault, whatever the sockets said.
 */
import Database from 'better-sqlite3';
import type { PairObservation } from './client.js';
import { openBenchStore } from './seed.js';

/** One stored message of a pair, as the check needs it. */
interface StoredMessage {
  seq: number;
  content: string;
}

/** What the store shows, summed over the pairs. */
export interface StoreVerdict {
  stored: number;
  /** Acknowledged to the sender (echoed) but absent from the store. */
  acknowledgedNotStored: number;
  /** Stored, but missing at a mentor tab (counted per tab). */
  storedNotDelivered: number;
  /** A message stored more than once. */
  storedTwice: number;
  /** Stored `seq` not 1, 2, 3… in sending order. */
  storedOutOfOrder: number;
  /** The echo carried another `seq` than the stored one. */
  seqMismatch: number;
}

const MARKER = /^p(\d+)-m(\d+)$/;
const PAGE = 5000;

function judge(observation: PairObservation, stored: readonly StoredMessage[], verdict: StoreVerdict): void {
  const seen = new Set<number>();
  let lastIndex = -1;
  stored.forEach(({ seq, content }, at) => {
    const match = MARKER.exec(content);
    const index = match && Number(match[1]) === observation.pairIndex ? Number(match[2]) : -1;
    verdict.stored++;
    if (seq !== at + 1 || index <= lastIndex) verdict.storedOutOfOrder++;
    lastIndex = Math.max(lastIndex, index);
    if (index < 0 || index >= observation.sentAt.length) return;
    if (seen.has(index)) verdict.storedTwice++;
    seen.add(index);
    if (!Number.isNaN(observation.echoedAt[index]!) && observation.echoSeq[index] !== seq) verdict.seqMismatch++;
    for (const tab of observation.deliveredAt) if (Number.isNaN(tab[index]!)) verdict.storedNotDelivered++;
  });
  for (let index = 0; index < observation.sentAt.length; index++) {
    if (!Number.isNaN(observation.echoedAt[index]!) && !seen.has(index)) verdict.acknowledgedNotStored++;
  }
}

const empty = (): StoreVerdict => ({ stored: 0, acknowledgedNotStored: 0, storedNotDelivered: 0, storedTwice: 0, storedOutOfOrder: 0, seqMismatch: 0 });

/** Reads every pair's messages from Tandem's store at `databaseUrl` and judges them. */
export async function verifyTandem(databaseUrl: string, observations: readonly PairObservation[]): Promise<StoreVerdict> {
  const store = await openBenchStore(databaseUrl);
  const verdict = empty();
  try {
    for (const observation of observations) {
      const mentee = await store.accounts.byEmail(observation.menteeEmail);
      const found = mentee && (await store.matches.activePairWith(mentee, observation.mentorEmail));
      if (!found) throw new Error(`pair ${observation.pairIndex} (${observation.menteeEmail}) is not in the store`);
      const stored: StoredMessage[] = [];
      for (
        let page = await store.messages.after(found.pair.id, 0, PAGE);
        page.length > 0;
        page = await store.messages.after(found.pair.id, stored.at(-1)!.seq, PAGE)
      ) {
        for (const message of page) stored.push(message.senderId === mentee.id ? message : { seq: message.seq, content: '' });
      }
      judge(observation, stored, verdict);
    }
  } finally {
    await store.close();
  }
  return verdict;
}

/** Reads the durable ceiling's SQLite file (see relay.ts) and judges every pair's room. */
export function verifyRelay(databasePath: string, observations: readonly PairObservation[]): StoreVerdict {
  const database = new Database(databasePath, { readonly: true });
  const verdict = empty();
  try {
    const query = database.prepare<[string], StoredMessage>('SELECT seq, content FROM messages WHERE room = ? ORDER BY seq');
    for (const observation of observations) {
      judge(observation, query.all([observation.menteeEmail, observation.mentorEmail].sort().join('\n')), verdict);
    }
  } finally {
    database.close();
  }
  return verdict;
}
