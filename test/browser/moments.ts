/** What the chat-moments browser tests share: the phone and desktop sizes, and screenshots copied to docs/. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Viewport } from './harness.js';

export const PHONE_390: Viewport = { width: 390, height: 844 };
export const DESKTOP_1280: Viewport = { width: 1280, height: 800 };

/** Copies a screenshot to docs/ (as `name`) when TANDEM_UPDATE_DOCS=1. */
export function toDocs(path: string, name: string): void {
  if (process.env.TANDEM_UPDATE_DOCS === '1') copyFileSync(path, join(process.cwd(), 'docs', name));
}
