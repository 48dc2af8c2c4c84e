/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`) with playwright-core against a
 * real Tandem. One browser per test file; one context per person, so each has their own
 * cookies, storage and network (a context can go offline alone). Screenshots go to
 * `.test-artifacts/browser/` (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { suiteNeeding } from '../helpers/needs.js';

export const CHROMIUM_PATH = process.env.TANDEM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** A browser window's size in CSS pixels. */
export interface Viewport {
  width: number;
  height: number;
}

export const ARTIFACTS = join(process.cwd(), '.test-artifacts', 'browser');
export const DESKTOP: Viewport = { width: 1200, height: 760 };
export const PHONE: Viewport = { width: 375, height: 740 };
/** Every wait for visible state is bounded by this (a failing test fails, it never hangs). */
export const WAIT_MS = 10_000;

/**
 * Registers the browser suite when Chromium is installed. Otherwise it shows as a skipped
 * test with the reason, or — with CI=true — fails, so CI can never pass by skipping
 * (`.ci/run` installs the `chromium` package).
 */
export function withChromium(name: string, body: () => void): void {
  const missing = existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  suiteNeeding(name, missing, body, '.ci/run installs the chromium package');
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A person's own browser context and page; uncaught page errors and CSP violations are collected in `problems`. */
export interface Person {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

export async function openPerson(browser: Browser, url: string, viewport: Viewport = DESKTOP): Promise<Person> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page, problems };
}

/** Signs in through the chat page's form and waits for the signed-in page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').first().fill(email);
  await page.getByLabel('Password', { exact: true }).first().fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#account').waitFor({ state: 'visible' });
}

/** The composer of the open conversation. */
export function composer(page: Page) {
  return page.locator('#composer-input');
}

/** Types `text` into the composer and sends it with Enter. */
export async function sendWithEnter(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Stored messages shown, by their text, in order. */
export function shownMessages(page: Page): Promise<string[]> {
  return page.locator('#message-list li .body').allTextContents();
}

/** Saves a screenshot as `.test-artifacts/browser/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}

/** True when the page scrolls sideways (it must not, down to phone width). */
export function scrollsSideways(page: Page): Promise<boolean> {
  // A string, because this file is compiled without the DOM library.
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}
