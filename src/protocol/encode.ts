import type { HeldEchoOut, OutboundFrame } from './frames.js';

/** Encodes an outbound frame. Fan-out calls this once per event, never once per receiver. */
export function encodeFrame(frame: OutboundFrame | HeldEchoOut): string {
  return JSON.stringify(frame);
}
