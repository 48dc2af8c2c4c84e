/**
 * The pages against axe-core's WCAG 2.2 A and AA rules in real Chromium: the sign-in page,
 * the chat page with a conversation (phone and desktop), the admin page with its Programme
 * view, and the first-run setup page. Any serious or critical violation fails the test with
 * the rule, the help text and the elements it found.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { ADMIN, suiteCleanup } from './helpers/server.js';
import { DESKTOP, openPerson, PHONE, withChromium } from './browser/harness.js';
import { openScene, pairInBrowsers, type Scene } from './browser/scene.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

withChromium('the pages against axe-core', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  it('the sign-in page, at phone and desktop width', async (t) => {
    for (const viewport of [PHONE, DESKTOP]) {
      const person = await openPerson(scene.browser, `${scene.server.http}/`, viewport);
      t.after(() => person.context.close());
      await person.page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(await seriousViolations(person.page), [], `at ${viewport.width} px`);
    }
  });

  it('the chat page with a conversation, at phone and desktop width', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene, { mentee: PHONE });
    await mentor.page.locator('#composer-input').fill('How did the interview go?');
    await mentor.page.locator('#composer-input').press('Enter');
    await mentee.page.getByRole('log', { name: 'Messages' }).getByText('How did the interview go?').waitFor();
    assert.deepEqual(await seriousViolations(mentor.page), [], 'desktop');
    assert.deepEqual(await seriousViolations(mentee.page), [], 'phone');
  });

  it('the admin page with the Programme view', async (t) => {
    const admin = await openPerson(scene.browser, `${scene.server.http}/admin#programme`, DESKTOP);
    t.after(() => admin.context.close());
    const form = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    assert.deepEqual(await seriousViolations(admin.page), [], 'the sign-in form');
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByRole('heading', { name: 'Programme' }).waitFor();
    await admin.page.locator('#activity-chart svg').waitFor({ state: 'attached' });
    assert.deepEqual(await seriousViolations(admin.page), [], 'signed in');
    for (const view of ['People', 'Matches', 'Safeguarding']) {
      await admin.page.getByRole('link', { name: new RegExp(`^${view}`) }).click();
      await admin.page.getByRole('heading', { name: view, level: 1 }).waitFor();
      assert.deepEqual(await seriousViolations(admin.page), [], `the ${view} view`);
    }
  });

  it('the setup page', async (t) => {
    const person = await openPerson(scene.browser, `${scene.server.http}/setup?token=x`, DESKTOP);
    t.after(() => person.context.close());
    await person.page.locator('h1').first().waitFor();
    assert.deepEqual(await seriousViolations(person.page), []);
  });
});
