/**
 * One owner of the order of everything a chat socket sends (rule 3 in
 * src/chat/message-feed.ts): while the feed fills a gap from the store, typing, receipts,
 * presence, states and the end of the match wait behind the live messages that arrived before
 * them. The outbound over a fake socket and the feed's fake source (test/helpers/feed.ts), whose
 * reads the test holds open.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { Outbound, type OutboundDeps } from '../src/chat/outbound.js';
import { encodeFrame } from '../src/protocol/encode.js';
import type { RoomEvent } from '../src/protocol/events.js';
import { CONNECTED_TEXT } from '../src/protocol/frames.js';
import type { User } from '../src/store/index.js';
import { PAIR, Source, settle } from './helpers/feed.js';

const user: User = { id: 1, email: 'mia@example.test', firstName: 'Mia', lastName: 'M', role: 'MENTEE', createdAt: new Date(0) };
const partner: User = { id: 2, email: 'leo@example.test', firstName: 'Leo', lastName: 'L', role: 'MENTOR', createdAt: new Date(0) };

/** What the socket got, each frame by a short name: `m<seq>` for a message, else its type (and state). */
function label(frame: string): string {
  const parsed = JSON.parse(frame) as { type: string; seq?: number; is_typing?: boolean; online?: boolean; state?: string };
  if (parsed.type === 'chat_message') return `m${parsed.seq}`;
  if (parsed.type === 'typing') return `typing:${parsed.is_typing}`;
  if (parsed.type === 'presence') return `presence:${parsed.online}`;
  if (parsed.type === 'match_state') return `match_state:${parsed.state}`;
  return parsed.type;
}

/** Every outbound a test made, stopped after it (a typing frame arms the partner's expiry timer). */
const made: Outbound[] = [];
afterEach(() => {
  for (const outbound of made.splice(0)) outbound.stop();
});

function outboundOn(source: Source) {
  const frames: string[] = [];
  const disconnects: string[] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send(frame: string, written?: () => void) {
      frames.push(label(frame));
      written?.();
    },
  } as unknown as WebSocket;
  const deps: OutboundDeps = {
    store: source,
    pairId: PAIR,
    user,
    partner,
    connectionId: 'this-connection',
    limits: { maxBufferedBytes: 1 << 20, typingTimeoutMs: 60_000 } as OutboundDeps['limits'],
    onReadFailure: (error) => assert.fail(String(error)),
    onGap: (gap) => assert.fail(JSON.stringify(gap)),
    onSlowConsumer: () => assert.fail('slow consumer'),
    onForceDisconnect: (reason) => disconnects.push(reason),
  };
  const outbound = new Outbound(socket, deps);
  made.push(outbound);
  outbound.open({ type: 'connection_established', message: CONNECTED_TEXT, partner_online: true }, 0);
  const deliver = (event: RoomEvent) => outbound.deliver(event, encodeFrame(frameOf(event)));
  const message = (seq: number) =>
    deliver({
      kind: 'chat_message',
      message: { message_id: String(100 + seq), seq, sender_email: partner.email, content: `m${seq}`, timestamp: new Date(0).toISOString(), is_read: false },
    } as unknown as RoomEvent);
  return { outbound, frames, disconnects, deliver, message };
}

/** The frame the hub would encode for the events these tests use. */
function frameOf(event: RoomEvent) {
  switch (event.kind) {
    case 'chat_message':
      return { type: 'chat_message' as const, ...event.message };
    case 'typing':
      return { type: 'typing' as const, sender_email: event.sender_email, is_typing: event.is_typing };
    case 'read_receipt':
      return { type: 'read_receipt' as const, reader_email: event.reader_email, count: event.count, last_read_id: event.last_read_id };
    case 'presence':
      return { type: 'presence' as const, email: event.email, online: event.online };
    case 'match_state':
      return { type: 'match_state' as const, state: event.state };
    case 'message_status':
      return event.status;
    default:
      return { type: 'force_disconnect' as const, reason: 'x' };
  }
}

const receipt: RoomEvent = { kind: 'read_receipt', reader_id: partner.id, reader_email: partner.email, count: 3, last_read_id: '103' };
const typing = (is_typing: boolean): RoomEvent => ({ kind: 'typing', sender_id: partner.id, sender_email: partner.email, is_typing });
const presence = (online: boolean): RoomEvent => ({ kind: 'presence', user_id: partner.id, email: partner.email, online });

describe('outbound: everything after the messages that arrived before it', () => {
  it('a read receipt that arrives while a gap is read goes out after the messages before it', async () => {
    const source = new Source(3);
    const { frames, message, deliver } = outboundOn(source);
    await settle();
    message(1);
    source.hold();
    message(3); // seq 2 was lost by the layer: the feed reads it from the store
    deliver(receipt);
    assert.deepEqual(frames, ['connection_established', 'm1'], 'nothing overtakes the gap while it is read');
    source.release();
    await settle();
    assert.deepEqual(frames, ['connection_established', 'm1', 'm2', 'm3', 'read_receipt']);
  });

  it('without a gap, every frame goes out at once, in arrival order', async () => {
    const { frames, message, deliver } = outboundOn(new Source(2));
    await settle();
    message(1);
    deliver(typing(true));
    message(2);
    deliver(receipt);
    deliver(presence(false));
    assert.deepEqual(frames, ['connection_established', 'm1', 'typing:true', 'm2', 'read_receipt', 'presence:false']);
  });

  it('while waiting, a state keeps only its newest turn, at its own place; receipts and the end of the match keep each of theirs', async () => {
    const source = new Source(5);
    const { frames, message, deliver, disconnects } = outboundOn(source);
    await settle();
    message(1);
    source.hold();
    message(3);
    deliver(typing(true));
    deliver(presence(false));
    deliver(receipt);
    message(4);
    deliver(typing(false));
    deliver(presence(true));
    deliver({ kind: 'match_state', state: 'paused' });
    deliver(receipt);
    message(5);
    deliver({ kind: 'force_disconnect', reason: 'match_ended' });
    assert.deepEqual(frames, ['connection_established', 'm1']);
    assert.deepEqual(disconnects, [], 'the end of the match waits its turn too');
    source.release();
    await settle();
    assert.deepEqual(frames, [
      'connection_established',
      'm1',
      'm2',
      'm3',
      'read_receipt',
      'm4',
      'typing:false',
      'presence:true',
      'match_state:paused',
      'read_receipt',
      'm5',
    ]);
    assert.deepEqual(disconnects, ['match_ended']);
  });

  it('a frame that waits behind a catch-up (resume, delivery check) goes out after the messages read', async () => {
    const source = new Source(4);
    const { outbound, frames, deliver } = outboundOn(source);
    await settle();
    source.hold();
    outbound.catchUpTo(4, 'check');
    deliver(presence(true));
    source.release();
    await settle();
    assert.deepEqual(frames, ['connection_established', 'm1', 'm2', 'm3', 'm4', 'presence:true']);
  });

  it('frames that waited keep their place behind a second gap found among them', async () => {
    const source = new Source(6);
    const { frames, message, deliver } = outboundOn(source);
    await settle();
    source.hold();
    message(2); // gap: 1
    deliver(receipt);
    message(5); // a second gap (3, 4), found only once 2 is delivered
    deliver(typing(true));
    message(6);
    source.release();
    await settle();
    assert.deepEqual(frames, ['connection_established', 'm1', 'm2', 'read_receipt', 'm3', 'm4', 'm5', 'typing:true', 'm6']);
  });

  it('nothing that waited goes out after stop', async () => {
    const source = new Source(3);
    const { outbound, frames, message, deliver, disconnects } = outboundOn(source);
    await settle();
    source.hold();
    message(3);
    deliver(receipt);
    deliver({ kind: 'force_disconnect', reason: 'match_ended' });
    outbound.stop();
    source.release();
    await settle();
    assert.deepEqual(frames, ['connection_established']);
    assert.deepEqual(disconnects, []);
  });
});
