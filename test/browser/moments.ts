/** What the chat-moments browser tests share: the phone and desktop sizes, screenshots copied to docs/, axe's verdict. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import type { Viewport } from './harness.js';

export const PHONE_390: Viewport = { width: 390, height: 844 };
export const DESKTOP_1280: Viewport = { width: 1280, height: 800 };

/** Copies a screenshot to docs/ (as `name`) when TANDEM_UPDATE_DOCS=1. */
export function toDocs(path: string, name: string): void {
  if (process.env.TANDEM_UPDATE_DOCS === '1') copyFileSync(path, join(process.cwd(), 'docs', name));
}

/** axe-core's serious and critical WCAG 2.2 A/AA violations on `page`, as the axe suite counts them. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
