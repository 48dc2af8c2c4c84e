/**
 * The socket side of Tandem's WebSocket endpoints, below chat/: ws's server on upgrades that
 * the caller has already judged, handshakes started a bounded number per event-loop turn (see
 * TurnSlicer), every upgraded socket read under the read budget (ReadBudget) with its frames
 * of a turn written together (WriteCoalescer), ping rounds spread over turns, and a close
 * that gives peers a grace period to answer the close handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ReadBudget } from './read-budget.js';
import { skipSecondEnds } from './second-end.js';
import { TurnSlicer } from './turn-slicer.js';
import { WriteCoalescer, type CorkedWrites } from './write-coalescer.js';

/** Handshakes (authorize, upgrade, session start) started per event-loop turn; the rest wait, in order, so a storm of them does not hold up the chat frames read meanwhile. */
const HANDSHAKES_PER_TURN = 16;

/** The socket-level limits (see ChatLimits in config-types.ts). */
export interface SocketLimits {
  maxFrameBytes: number;
  readsPerTurn: number;
  pingIntervalMs: number;
}

/** Whatever keeps a socket alive by pinging it. */
export interface Pinged {
  heartbeat(): void;
}

export class SocketServer {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  /** Handshakes past the caller's cheap checks, a bounded number started per turn. */
  private readonly handshakes: TurnSlicer;
  /** Every upgraded socket's input, a bounded number of reads per turn. */
  private readonly reads: ReadBudget;
  /** Every socket's frames of a turn, written together. */
  private readonly writes = new WriteCoalescer();

  /** `pinged` is asked, every `pingIntervalMs`, for the sockets to ping; `onError` hears what a sliced task threw. */
  constructor(limits: SocketLimits, pinged: () => Iterable<Pinged>, onError: (error: unknown, context: string) => void) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, clientTracking: true });
    // A ping round writes to every socket; sliced like the reads, so that ten thousand of them
    // (and the terminations of peers gone silent) do not take one turn.
    const pings = new TurnSlicer(limits.readsPerTurn, (error) => onError(error, 'websocket ping'));
    this.heartbeat = setInterval(() => {
      for (const socket of pinged()) pings.push(() => socket.heartbeat());
    }, limits.pingIntervalMs);
    this.heartbeat.unref();
    this.handshakes = new TurnSlicer(HANDSHAKES_PER_TURN, (error) => onError(error, 'websocket handshake'));
    this.reads = new ReadBudget(limits.readsPerTurn, new TurnSlicer(limits.readsPerTurn, (error) => onError(error, 'websocket read')));
  }

  /** Runs `handshake` in a later turn, after the handshakes queued before it. */
  pace(handshake: () => void): void {
    this.handshakes.push(handshake);
  }

  /** `socket`'s writes, corked from now to the end of this turn's callbacks (so the 101 and what follows it leave together). */
  corkedWrites(socket: Duplex): CorkedWrites {
    const writes = this.writes.for(socket);
    writes.cork();
    return writes;
  }

  /** Completes the upgrade and hands over the WebSocket, governed before anything else reads from it. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, upgraded: (ws: WebSocket) => void): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      skipSecondEnds(socket, ws);
      this.reads.govern(socket);
      upgraded(ws);
    });
  }

  /** Pings no more (shutdown has begun). */
  stopPings(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * Waits for every socket to finish its close handshake, at most `graceMs`, cuts off the
   * peers that have not answered, and closes the server. Resolves once it is closed.
   */
  async close(graceMs: number): Promise<void> {
    this.stopPings();
    const clients = [...this.wss.clients];
    const closed = Promise.all(
      clients.map((client) => new Promise<void>((resolve) => (client.readyState === client.CLOSED ? resolve() : client.once('close', () => resolve())))),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Refuses an upgrade before it happens, with a bare HTTP status, and ends the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
