/**
 * What the client needs of a WebSocket, so that the browser's `WebSocket` and the `ws`
 * package's (which can send a Cookie header from Node) both fit without DOM types.
 */

/**
 * The part of the standard WebSocket API the client uses. Handler properties are typed
 * `unknown` so that both the DOM and the `ws` declarations are assignable; the client
 * installs its own handlers and reads only `data`, `code` and `reason` from the events.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: unknown;
  onmessage: unknown;
  onclose: unknown;
  onerror: unknown;
}

/** Opens a WebSocket to `url`. In Node: `(url) => new WebSocket(url, { headers: { cookie } })` with `ws`. */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** `WebSocket.OPEN`, the same in every implementation. */
export const SOCKET_OPEN = 1;

/**
 * The chat endpoint of `partnerEmail` under `wsBase` (`ws://host:port`), resuming after
 * `afterMessageId` when given (PROTOCOL.md Part 2, resume), with the platform's `token`
 * when given (Part 5: browsers cannot set headers on a WebSocket).
 */
export function chatSocketUrl(wsBase: string, partnerEmail: string, afterMessageId: string | null, token: string | null = null): string {
  const url = `${withoutTrailingSlashes(wsBase)}/ws/chat/${encodeURIComponent(partnerEmail)}/`;
  const query = [
    ...(afterMessageId === null ? [] : [`after=${encodeURIComponent(afterMessageId)}`]),
    ...(token === null ? [] : [`token=${encodeURIComponent(token)}`]),
  ];
  return query.length === 0 ? url : `${url}?${query.join('&')}`;
}

/** Where a client gets the platform's token (`AUTH=jwt`): asked before every connect and reconnect. */
export type TokenSource = () => string | Promise<string>;

/** The WebSocket base that belongs to an HTTP origin: `https://h` → `wss://h`. */
export function wsBaseOf(httpBase: string): string {
  return withoutTrailingSlashes(httpBase.replace(/^http(s?):/i, 'ws$1:'));
}

/**
 * `base` without the slashes it ends with. A scan, not `/\/+$/`, which tries every start in
 * a run of slashes that is not at the end; and no lookbehind, which older Safari lacks.
 */
export function withoutTrailingSlashes(base: string): string {
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 0x2f) end -= 1;
  return base.slice(0, end);
}
