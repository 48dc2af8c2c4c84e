/**
 * What a browser test starts from: one Tandem and one Chromium per test file, and people —
 * users made through the API, each signed in on the chat page in their own browser context.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser, loginAdmin, match, type Agent } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { DESKTOP, launchBrowser, openPerson, signIn, type Person } from './harness.js';
import { passwordOf as passwordOfEmail } from '../helpers/accounts.js';

export interface Scene {
  server: TestServer;
  admin: Agent;
  browser: Browser;
}

type Hooks = { after(fn: () => unknown): void };

/** Starts Tandem (with `env` on top of the test defaults) and Chromium; both stop when `cleanup` runs. */
export async function openScene(cleanup: Hooks, env: Record<string, string> = {}): Promise<Scene> {
  const server = await startServer(cleanup, env);
  const admin = await loginAdmin(server.http);
  const browser = await launchBrowser();
  cleanup.after(() => browser.close());
  return { server, admin, browser };
}

/** The password `test/helpers/http.ts` gives the users it creates. */
export function passwordOf(agent: Agent): string {
  return passwordOfEmail(agent.email);
}

/** `agent` signed in on the chat page in a fresh context; it closes when the test ends, after its page errors are checked. */
export async function signedInPerson(t: TestContext, scene: Scene, agent: Agent, viewport = DESKTOP): Promise<Person> {
  const person = await openPerson(scene.browser, `${scene.server.http}/`, viewport);
  t.after(async () => {
    await person.context.close();
    assert.deepEqual(person.problems, [], `${agent.email}'s page reported problems`);
  });
  await signIn(person.page, agent.email, passwordOf(agent));
  return person;
}

export interface PairInBrowsers {
  mentor: Person;
  mentee: Person;
  mentorAgent: Agent;
  menteeAgent: Agent;
}

/**
 * Tom Ng (mentor) and Mia Lee (mentee), matched, each signed in with the conversation open
 * and connected (the composer is enabled once the conversation is shown).
 */
export async function pairInBrowsers(
  t: TestContext,
  scene: Scene,
  viewports: { mentor?: { width: number; height: number }; mentee?: { width: number; height: number } } = {},
): Promise<PairInBrowsers> {
  const mentorAgent = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
  const menteeAgent = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
  await match(scene.admin, mentorAgent, menteeAgent);
  const [mentee, mentor] = await Promise.all([
    signedInPerson(t, scene, menteeAgent, viewports.mentee),
    signedInPerson(t, scene, mentorAgent, viewports.mentor),
  ]);
  await Promise.all([connected(mentee), connected(mentor)]);
  return { mentor, mentee, mentorAgent, menteeAgent };
}

/**
 * Waits until the open conversation is connected: the server sent `connection_established`
 * (so this side is in the room and hears the partner), the composer is enabled and no
 * connection notice shows. An enabled composer alone is not enough: it is enabled while the
 * socket is still being opened.
 */
export async function connected(person: Person): Promise<void> {
  await person.page.locator('#connection[data-state="open"]').waitFor({ state: 'attached' });
  await person.page.locator('#composer-input:enabled').waitFor();
  await person.page.locator('#connection:empty').waitFor({ state: 'attached' });
}

/** Messages of the pair as the server stores them, through the history API, oldest first. */
export async function storedContents(reader: Agent, partnerEmail: string): Promise<string[]> {
  const reply = await reader.get(`/api/chat/${encodeURIComponent(partnerEmail)}/messages?limit=100`);
  assert.equal(reply.status, 200, `history: ${JSON.stringify(reply.body)}`);
  return reply.body.messages.map((message: { content: string }) => message.content);
}
