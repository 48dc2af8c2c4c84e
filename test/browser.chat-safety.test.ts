/**
 * The chat page when safeguarding is at stake, in real Chromium under CONVERSATION_POLICY=
 * moderated with a SAFEGUARDING_CONTACT, at 390×844 and 1280×800: every conversation starts
 * with what coordinators can see; a held message says why, who checks it and that the partner
 * cannot see it yet, with its time, in time order (also after a reload); a report is made in
 * an in-page sheet with reasons, confirmed calmly, marked "Reported" for good (after signing in
 * again too), and "Get help now" shows the programme's contact.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { suiteCleanup } from './helpers/server.js';
import { screenshot, sendWithEnter, withChromium } from './browser/harness.js';
import { DESKTOP_1280, PHONE_390, seriousViolations, toDocs } from './browser/moments.js';
import { connected, openScene, pairInBrowsers, signedInPerson, type Scene } from './browser/scene.js';

const CONTACT = 'Call Sam Reed, safeguarding lead: 020 7946 0000';

withChromium('the chat page at the moments that matter: safety', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup, { CONVERSATION_POLICY: 'moderated', SAFEGUARDING_CONTACT: CONTACT });
  });

  for (const [size, viewport] of [
    ['phone', PHONE_390],
    ['desktop', DESKTOP_1280],
  ] as const) {
    it(`explains a held message and what coordinators see (${size})`, async (t) => {
      const { mentor, mentee } = await pairInBrowsers(t, scene, { mentee: viewport, mentor: viewport });
      for (const person of [mentee, mentor]) {
        await person.page.locator('#policy-notice', { hasText: 'coordinators can read this conversation' }).waitFor();
      }
      await sendWithEnter(mentor.page, 'Hi Mia, how was the science fair?');
      await mentee.page.locator('#message-list li', { hasText: 'science fair' }).waitFor();
      await sendWithEnter(mentee.page, 'Great! Message me at mia.lee@example.com');
      const held = mentee.page.locator('#message-list li[data-state="held"]');
      await held.waitFor();
      const text = await held.innerText();
      assert.match(text, /Held because it looks like it has contact details/);
      assert.match(text, /A coordinator from your programme will look at it\. Tom can't see it until they approve it\./);
      assert.match(text, /Waiting for a coordinator to check it/);
      assert.match(await held.locator('time').innerText(), /^\d\d:\d\d$/);
      await sendWithEnter(mentor.page, 'Tell me about your robot');
      await mentee.page.locator('#message-list li', { hasText: 'your robot' }).waitFor();
      assert.equal(await mentor.page.locator('#messages', { hasText: 'example.com' }).count(), 0, 'the partner never sees it');

      await mentee.page.reload();
      await connected(mentee);
      await mentee.page.locator('#message-list li[data-state="held"]').waitFor();
      const order = await mentee.page
        .locator('#message-list li.message')
        .evaluateAll((items) => items.map((item) => item.querySelector('.body')?.textContent ?? ''));
      assert.deepEqual(
        order,
        ['Hi Mia, how was the science fair?', 'Great! Message me at mia.lee@example.com', 'Tell me about your robot'],
        'time order, also after a reload',
      );
      assert.deepEqual(await seriousViolations(mentee.page), [], 'axe: a held message and the policy line');
      const shot = await screenshot(mentee.page, `chat-held-${size}`);
      if (size === 'phone') toDocs(shot, 'chat-held.png');
    });

    it(`reports in a sheet, calmly, with a lasting mark and help at hand (${size})`, async (t) => {
      const { mentor, mentee, menteeAgent } = await pairInBrowsers(t, scene, { mentee: viewport });
      await sendWithEnter(mentor.page, 'You should add me somewhere else');
      const message = mentee.page.locator('#message-list li', { hasText: 'somewhere else' });
      await message.waitFor();
      await message.getByRole('button', { name: /^Actions for message from Tom Ng, \d\d:\d\d$/ }).click();
      await mentee.page.getByRole('menuitem', { name: /^Report message from Tom Ng, \d\d:\d\d$/ }).click();
      const sheet = mentee.page.getByRole('dialog', { name: 'Report a message' });
      await sheet.waitFor();
      for (const reason of [
        'It made me feel uncomfortable',
        'They asked me to talk somewhere else',
        'They asked for or shared personal details',
        'Bullying or being mean',
        'Something else',
      ]) {
        await sheet.getByLabel(reason).waitFor();
      }
      await sheet.getByRole('button', { name: 'Send report' }).click();
      await sheet.locator('#report-error', { hasText: 'Choose what is wrong' }).waitFor();
      await sheet.getByLabel('They asked me to talk somewhere else').check();
      await sheet.getByLabel(/Anything you want to add/).fill('He wants my Snapchat');
      await sheet.getByRole('button', { name: 'Get help now' }).click();
      await sheet.locator('#help-contact', { hasText: CONTACT }).waitFor();
      assert.deepEqual(await seriousViolations(mentee.page), [], 'axe: the report sheet');
      const sheetShot = await screenshot(mentee.page, `chat-report-${size}`);
      if (size === 'phone') toDocs(sheetShot, 'chat-report.png');
      await sheet.getByRole('button', { name: 'Send report' }).click();
      const done = sheet.getByRole('status');
      await done.getByRole('heading', { name: 'Thank you for telling us' }).waitFor();
      assert.match(await done.innerText(), /Tom is not told that you reported it/);
      assert.equal(await mentee.page.locator('#report-done.form-error, #report-done .form-error').count(), 0, 'the confirmation is not styled as an error');
      await screenshot(mentee.page, `chat-report-sent-${size}`);
      await sheet.getByRole('button', { name: 'Close' }).click();
      await message.locator('.reported-mark', { hasText: 'Reported' }).waitFor();
      assert.equal(await message.getByRole('button', { name: /^Actions for/ }).count(), 0, 'reported once');
      const reports = (await scene.admin.get('/api/reports')).body.reports as Array<{ reason: string }>;
      assert.ok(reports.some((report) => report.reason === 'They asked me to talk somewhere else: He wants my Snapchat'));

      // Signing in again: the mark is still there.
      const again = await signedInPerson(t, scene, menteeAgent, viewport);
      await again.page.locator('#message-list li[data-reported="true"]', { hasText: 'somewhere else' }).locator('.reported-mark').waitFor();
    });
  }
});
