/**
 * The measured part: each mentee streams numbered messages to its mentor through a window
 * of unacknowledged sends, and both sides note what they see so that loss, duplication,
 * reordering and latency can be judged afterwards. All pairs share one event loop, so
 * send and arrival times come from the same clock.
 */
import WebSocket from 'ws';
import type { ChatMessageIn, OutboundFrame } from '../src/protocol/frames.js';

/** After every send is acknowledged, how long a mentor may still take before missing messages count as lost. */
const GRACE_MS = 5_000;
/** No frame at all for this long means the server (or the window) is stuck; waiting longer tells nothing new. */
const STALL_MS = 15_000;
/** Error texts kept verbatim for the report; further ones are only counted. */
const KEPT_ERRORS = 5;

/** The frame in `data`, or null when it is not JSON (the bench then ignores it). */
export function parseFrame(data: WebSocket.RawData): OutboundFrame | null {
  try {
    return JSON.parse(data.toString()) as OutboundFrame;
  } catch {
    return null;
  }
}

const MARKER = /^p(\d+)-m(\d+)$/;

/** What one of the mentor's tabs received, by message number. */
class Receiver {
  readonly deliveredAt: Float64Array;
  readonly deliveredSeq: Int32Array;
  readonly receipts: Uint16Array;
  delivered = 0;
  duplicated = 0;
  outOfOrder = 0;
  /** Messages this tab received that the mentee's echo also confirmed. */
  echoedAndDelivered = 0;
  lastDeliveredSeq = 0;
  highestDelivered = -1;

  constructor(messages: number) {
    this.deliveredAt = new Float64Array(messages).fill(Number.NaN);
    this.deliveredSeq = new Int32Array(messages);
    this.receipts = new Uint16Array(messages);
  }
}

/**
 * Everything one pair's sockets observed; indices are message numbers 0..M-1. The mentee
 * sends from its first tab; every mentor tab must receive every message once and in order;
 * the mentee's other tabs (if any) only carry the load of their copies.
 */
export class PairTraffic {
  readonly sentAt: Float64Array;
  readonly echoedAt: Float64Array;
  /** Per mentor tab, when each message arrived there. */
  readonly deliveredAt: Float64Array[];
  private readonly echoSeq: Int32Array;
  private readonly receivers: Receiver[];
  sent = 0;
  echoed = 0;
  /** Frames the mentee's other tabs received: their share of the fan-out, not judged. */
  menteeTabFrames = 0;
  /** Echo `seq` not 1..M in order, a repeated echo, or an echo and a delivery disagreeing on `seq`. */
  echoSeqErrors = 0;
  /** Chat frames that belong to another pair, another sender or carry no marker. */
  misrouted = 0;
  readonly serverErrors: string[] = [];
  serverErrorCount = 0;
  broken: string | null = null;
  /** When this pair's sockets last received anything: the stall detector watches it. */
  lastActivity = performance.now();
  private stopping = false;
  private halted = false;
  private inFlight = 0;
  private lastEchoSeq = 0;
  private readonly sockets: WebSocket[];

  constructor(
    readonly pairIndex: number,
    private readonly mentee: WebSocket,
    private readonly menteeEmail: string,
    mentorTabs: readonly WebSocket[],
    private readonly messages: number,
    private readonly window: number,
    otherMenteeTabs: readonly WebSocket[] = [],
  ) {
    this.sentAt = new Float64Array(messages).fill(Number.NaN);
    this.echoedAt = new Float64Array(messages).fill(Number.NaN);
    this.echoSeq = new Int32Array(messages);
    this.receivers = mentorTabs.map(() => new Receiver(messages));
    this.deliveredAt = this.receivers.map((receiver) => receiver.deliveredAt);
    mentee.on('message', (data) => this.onMenteeFrame(data, performance.now()));
    mentorTabs.forEach((tab, at) => tab.on('message', (data) => this.onMentorFrame(this.receivers[at]!, data, performance.now())));
    for (const tab of otherMenteeTabs) tab.on('message', () => this.menteeTabFrames++);
    this.sockets = [mentee, ...otherMenteeTabs, ...mentorTabs];
    for (const ws of this.sockets) {
      const side = ws === mentee || otherMenteeTabs.includes(ws) ? 'mentee' : 'mentor';
      ws.on('error', () => {}); // the close that follows says what happened
      ws.on('close', (code, reason) => {
        if (this.stopping) return;
        this.broken ??= `${side} socket closed with ${code} ${reason.toString()}`.trim();
      });
    }
  }

  /** Deliveries to mentor tabs, all tabs together. */
  get delivered(): number {
    return this.receivers.reduce((total, receiver) => total + receiver.delivered, 0);
  }

  /** Repeated deliveries to a mentor tab. */
  get duplicated(): number {
    return this.receivers.reduce((total, receiver) => total + receiver.duplicated, 0);
  }

  /** Deliveries to a mentor tab out of sending order or with a `seq` not one more than the last. */
  get outOfOrder(): number {
    return this.receivers.reduce((total, receiver) => total + receiver.outOfOrder, 0);
  }

  /** True once nothing more can happen: everything acknowledged and delivered, or a socket is gone. */
  get settled(): boolean {
    const target = this.halted ? this.sent : this.messages;
    return this.broken !== null || (this.echoed === target && this.receivers.every((receiver) => receiver.delivered === target));
  }

  /** True once every message was acknowledged (or can no longer be). */
  get acknowledged(): boolean {
    return this.broken !== null || this.echoed === (this.halted ? this.sent : this.messages);
  }

  /** Sends until `window` messages are unacknowledged or all are sent. */
  pump(): void {
    while (this.inFlight < this.window && this.sent < this.messages && this.broken === null && !this.halted) {
      const index = this.sent++;
      // With a client_id, as Tandem's own client sends every message: the idempotency check is part of the path measured.
      const frame: ChatMessageIn = { type: 'chat_message', content: `p${this.pairIndex}-m${index}`, client_id: `m${index}` };
      this.inFlight++;
      this.sentAt[index] = performance.now();
      this.mentee.send(JSON.stringify(frame));
    }
  }

  /** Messages acknowledged to the mentee but (so far) never seen by a mentor tab, counted per tab. */
  get lost(): number {
    return this.receivers.reduce((total, receiver) => total + this.echoed - receiver.echoedAndDelivered, 0);
  }

  /** Sends nothing more, so that what is in flight can drain before the verdict. */
  halt(): void {
    this.halted = true;
  }

  /** Detaches the bench from the sockets and closes them. */
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.sockets.map(closeSocket));
  }

  private onMenteeFrame(data: WebSocket.RawData, now: number): void {
    this.lastActivity = now;
    const frame = parseFrame(data);
    if (frame?.type === 'error') return this.noteServerError('mentee', frame.message);
    if (frame?.type !== 'chat_message') return;
    const index = this.markerIndex(frame.content, frame.sender_email);
    if (index === null) return;
    if (!Number.isNaN(this.echoedAt[index]!) || Number.isNaN(this.sentAt[index]!)) {
      this.echoSeqErrors++;
      return;
    }
    this.echoedAt[index] = now;
    this.echoSeq[index] = frame.seq;
    if (frame.seq !== this.lastEchoSeq + 1) this.echoSeqErrors++;
    this.lastEchoSeq = frame.seq;
    this.echoed++;
    for (const receiver of this.receivers) if (receiver.receipts[index]! > 0) receiver.echoedAndDelivered++;
    this.inFlight--;
    this.pump();
  }

  private onMentorFrame(receiver: Receiver, data: WebSocket.RawData, now: number): void {
    this.lastActivity = now;
    const frame = parseFrame(data);
    if (frame?.type === 'error') return this.noteServerError('mentor', frame.message);
    if (frame?.type !== 'chat_message') return;
    const index = this.markerIndex(frame.content, frame.sender_email);
    if (index === null) return;
    if (receiver.receipts[index]!++ > 0) {
      receiver.duplicated++;
      return;
    }
    receiver.deliveredAt[index] = now;
    receiver.deliveredSeq[index] = frame.seq;
    if (index < receiver.highestDelivered || frame.seq !== receiver.lastDeliveredSeq + 1) receiver.outOfOrder++;
    receiver.highestDelivered = Math.max(receiver.highestDelivered, index);
    receiver.lastDeliveredSeq = frame.seq;
    receiver.delivered++;
    if (!Number.isNaN(this.echoedAt[index]!)) receiver.echoedAndDelivered++;
  }

  /** Cross-checks the sides once traffic is over: every tab must have seen the echo's `seq` per message. */
  finish(): void {
    for (const receiver of this.receivers) {
      for (let index = 0; index < this.messages; index++) {
        if (receiver.receipts[index]! > 0 && !Number.isNaN(this.echoedAt[index]!) && this.echoSeq[index] !== receiver.deliveredSeq[index]) {
          this.echoSeqErrors++;
        }
      }
    }
  }

  /** The `seq` the mentee's echo carried for message `index`; 0 when it was never echoed. */
  echoSeqOf(index: number): number {
    return this.echoSeq[index]!;
  }

  private markerIndex(content: string, sender: string): number | null {
    const match = MARKER.exec(content);
    const index = match ? Number(match[2]) : -1;
    if (!match || Number(match[1]) !== this.pairIndex || sender !== this.menteeEmail || index >= this.messages) {
      this.misrouted++;
      return null;
    }
    return index;
  }

  private noteServerError(side: string, message: string): void {
    this.serverErrorCount++;
    if (this.serverErrors.length < KEPT_ERRORS) this.serverErrors.push(`pair ${this.pairIndex} ${side}: ${message}`);
  }
}

async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 2000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000, 'bench done');
  });
}

/**
 * Why the traffic phase ended. `complete`: every message sent was acknowledged and delivered
 * — all M of them, or, with a `stopAt`, all those sent before it.
 */
export type EndReason = 'complete' | 'grace expired' | 'stalled' | 'deadline';

/** How long a stopped run waits for acknowledged messages still on their way to a mentor. */
const DRAIN_MS = 2_000;

/**
 * Starts every pair at once and resolves when all have settled, when the grace period after
 * the last acknowledgement runs out, when nothing has arrived for `STALL_MS`, or at `deadlineAt`.
 * At `stopAt` (a time-boxed run) the pairs stop sending and the run completes once what they
 * sent has settled.
 */
export function runTraffic(pairs: readonly PairTraffic[], deadlineAt: number, stopAt = Number.POSITIVE_INFINITY): Promise<EndReason> {
  return new Promise((resolve) => {
    let graceEndsAt = Number.POSITIVE_INFINITY;
    let drainingSince: number | null = null;
    let stopped = false;
    const finish = (reason: EndReason) => {
      clearInterval(ticker);
      resolve(reason);
    };
    // A run cut short would otherwise count messages merely in transit as lost.
    const stopSending = (now: number) => {
      for (const pair of pairs) pair.halt();
      drainingSince = now;
    };
    const check = () => {
      const now = performance.now();
      if (drainingSince !== null) {
        if (now - drainingSince >= DRAIN_MS || pairs.every((pair) => pair.broken !== null || pair.lost === 0)) finish('deadline');
        return;
      }
      if (now >= stopAt && !stopped) {
        stopped = true;
        for (const pair of pairs) pair.halt();
      }
      if (pairs.every((pair) => pair.settled)) return finish('complete');
      if (graceEndsAt === Number.POSITIVE_INFINITY && pairs.every((pair) => pair.acknowledged)) graceEndsAt = now + GRACE_MS;
      if (now >= graceEndsAt) return finish('grace expired');
      const lastActivity = Math.max(startedAt, ...pairs.map((pair) => pair.lastActivity));
      if (now - lastActivity >= STALL_MS) return finish('stalled');
      if (now >= deadlineAt) stopSending(now);
    };
    // Polling keeps the per-frame path free of bookkeeping; 100 ms is far below any figure reported.
    const ticker = setInterval(check, 100);
    const startedAt = performance.now();
    for (const pair of pairs) pair.pump();
  });
}
