/**
 * Watches the WebSocket handshakes of one instance: logs each at info (outcome, HTTP status
 * or close code and reason, client address, path without its query — never a cookie or a
 * header), and counts failed ones per client address. An address past
 * `WS_HANDSHAKE_FAILURES_PER_ADDRESS` failures in one minute is answered HTTP 429 before
 * upgrading, without a store lookup, until the minute ends. Counted in memory, per instance.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import type { HandshakeResult, HandshakeWatcher } from '../chat/gateway.js';
import type { Config } from '../config.js';
import { recordHandshake } from '../metrics.js';
import { CloseCode } from '../protocol/close-codes.js';
import { clientKey } from './throttle.js';

/** Close codes that say the client asked for something it may not have; the rest are Tandem's own. */
const CLIENT_FAULTS = new Set<number>([CloseCode.unauthenticated.code, CloseCode.forbidden.code, CloseCode.policy.code]);
/** Addresses tracked before expired windows are swept. */
const SWEEP_AT = 10_000;
/** Failures count per minute: WS_HANDSHAKE_FAILURES_PER_ADDRESS is the limit an operator tunes, stated per minute. */
const FAILURE_WINDOW_MS = 60_000;

type Window = { count: number; startedAt: number };

export class HandshakeGuard implements HandshakeWatcher {
  private readonly windows = new Map<string, Window>();
  /** When the last failure was counted; a window later than that cannot be open. */
  private lastFailureAt = -Infinity;
  private readonly addresses = new WeakMap<IncomingMessage, string>();
  private readonly trust: (address: string, hop: number) => boolean;
  private readonly windowMs: number;

  constructor(
    private readonly settings: Config['handshakeThrottle'],
    trustProxy: Config['trustProxy'],
    private readonly log: FastifyBaseLogger,
  ) {
    this.windowMs = FAILURE_WINDOW_MS;
    this.trust =
      trustProxy === true
        ? () => true
        : trustProxy === false
          ? () => false
          : typeof trustProxy === 'number'
            ? (_address, hop) => hop < trustProxy
            : proxyAddr.compile(trustProxy);
  }

  /** False (and counted as throttled) while the client's address is past its failures. */
  admit(request: IncomingMessage, now = Date.now()): boolean {
    // No address has failed lately: nothing to look up (the usual case, and every handshake asks).
    if (this.windows.size === 0) return true;
    if (now - this.lastFailureAt >= this.windowMs) {
      // Every window has ended: none to keep, and the shortcut above holds again.
      this.windows.clear();
      return true;
    }
    const window = this.windows.get(this.key(request));
    if (!window || now - window.startedAt >= this.windowMs || window.count < this.settings.failuresPerAddress) return true;
    recordHandshake('throttled');
    return false;
  }

  /** Logs the outcome; a failure the client caused counts against its address. */
  outcome(request: IncomingMessage, result: HandshakeResult, now = Date.now()): void {
    const outcome = 'accepted' in result ? 'accepted' : 'refused';
    const fields = { outcome, address: this.address(request), path: (request.url ?? '/').split('?')[0], ...('accepted' in result ? {} : result) };
    if ('status' in result && result.status === 429) {
      // Already counted by admit; at info, a flood of these would flood the log too.
      this.log.debug(fields, 'websocket handshake throttled');
      return;
    }
    const failed = 'status' in result ? result.status >= 400 && result.status < 500 : 'code' in result && CLIENT_FAULTS.has(result.code);
    recordHandshake(outcome);
    this.log.info(fields, 'websocket handshake');
    if (failed) this.countFailure(this.key(request), now);
  }

  private countFailure(key: string, now: number): void {
    this.lastFailureAt = now;
    const window = this.windows.get(key);
    if (window && now - window.startedAt < this.windowMs) window.count += 1;
    else this.windows.set(key, { count: 1, startedAt: now });
    if (this.windows.size > SWEEP_AT) {
      for (const [other, { startedAt }] of this.windows) if (now - startedAt >= this.windowMs) this.windows.delete(other);
    }
  }

  /** The client's address, worked out once per handshake (admit and outcome both ask). */
  private address(request: IncomingMessage): string {
    let address = this.addresses.get(request);
    if (address === undefined) {
      address = proxyAddr(request, this.trust);
      this.addresses.set(request, address);
    }
    return address;
  }

  private key(request: IncomingMessage): string {
    return clientKey(this.address(request));
  }
}
