// Writes an NDJSON import file shaped like a seed's export: `node scripts/import-sample.mjs
// <file> [messages=100000] [pairs=500]` — users, matches, then every pair's messages in
// timestamp order, some read. Streams to the file, so it holds nothing in memory either.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const [file, messages = '100000', pairs = '500'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/import-sample.mjs <file> [messages] [pairs]');
  process.exit(2);
}
const total = Number(messages);
const pairCount = Number(pairs);
const out = createWriteStream(file);
const write = async (record) => {
  if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
};
const mentor = (p) => `mentor${Math.floor(p / 5)}@sample.test`;
const mentee = (p) => `mentee${p}@sample.test`;
for (let p = 0; p < pairCount; p += 5) await write({ kind: 'user', email: mentor(p), first_name: 'Mentor', last_name: String(p / 5), role: 'MENTOR' });
for (let p = 0; p < pairCount; p++) await write({ kind: 'user', email: mentee(p), first_name: 'Mentee', last_name: String(p), role: 'MENTEE' });
for (let p = 0; p < pairCount; p++) await write({ kind: 'match', mentor_email: mentor(p), mentee_email: mentee(p) });
const start = Date.UTC(2024, 0, 1);
for (let i = 0; i < total; i++) {
  const p = i % pairCount;
  const fromMentee = (i >> 1) % 2 === 0;
  await write({
    kind: 'message',
    external_id: `sample-${i}`,
    sender_email: fromMentee ? mentee(p) : mentor(p),
    receiver_email: fromMentee ? mentor(p) : mentee(p),
    content: `Message ${i} of the sample: how is the project going this week?`,
    timestamp: new Date(start + i * 60_000).toISOString(),
    is_read: i < total - pairCount * 2,
  });
}
out.end();
await once(out, 'finish');
