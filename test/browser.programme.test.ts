/**
 * The Programme view and announcements in real Chromium: the admin page lists a pair waiting
 * for its mentor first, with its reason, a sparkline a screen reader can read, the weeks as a
 * table; search and the at-risk filter narrow it; an announcement sent from the form appears
 * live on a mentee's chat page, stays listed after a reload, and can be dismissed.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createUser, match, type Agent } from './helpers/http.js';
import { until } from './helpers/wait.js';
import { ADMIN, suiteCleanup } from './helpers/server.js';
import { DESKTOP, openPerson, PHONE, screenshot, withChromium, type Person } from './browser/harness.js';
import { openScene, signedInPerson, type Scene } from './browser/scene.js';

const HOUR_MS = 3_600_000;

withChromium('the Programme view in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  async function adminPage(t: { after(fn: () => unknown): void }): Promise<Person> {
    const admin = await openPerson(scene.browser, `${scene.server.http}/admin#programme`, DESKTOP);
    t.after(async () => {
      await admin.context.close();
      assert.deepEqual(admin.problems, [], "the admin's page reported problems");
    });
    const form = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByRole('heading', { name: 'Programme' }).waitFor();
    return admin;
  }

  /** A pair whose mentee wrote four days ago and got no answer. */
  async function waitingPair(first: string): Promise<{ mentor: Agent; mentee: Agent }> {
    const mentor = await createUser(scene.admin, { role: 'MENTOR', first: 'Ada', last: `Quiet${first}` });
    const mentee = await createUser(scene.admin, { role: 'MENTEE', first, last: 'Waits' });
    await match(scene.admin, mentor, mentee);
    const outcomes = await scene.server.tandem.store.messages.importHistory([
      {
        externalId: `${first}-1`,
        senderEmail: mentee.email,
        receiverEmail: mentor.email,
        content: 'hello?',
        createdAt: new Date(Date.now() - 96 * HOUR_MS),
        isRead: false,
      },
    ]);
    assert.deepEqual(outcomes, ['created']);
    return { mentor, mentee };
  }

  it('lists the pair waiting for its mentor first, with its reason, its sparkline and the weeks as a table', async (t) => {
    const quiet = await createUser(scene.admin, { role: 'MENTOR', first: 'Zed', last: 'Fine' });
    await match(scene.admin, quiet, await createUser(scene.admin, { role: 'MENTEE', first: 'Kai', last: 'Fine' }));
    await waitingPair('Nora');
    const { page } = await adminPage(t);
    const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'At risk' }) });
    const firstRow = table.getByRole('row').nth(1);
    await firstRow.getByText('Waiting for the mentor').waitFor();
    assert.match(await firstRow.getByRole('rowheader').innerText(), /Ada QuietNora\s+with\s+Nora Waits/);
    assert.match(
      (await firstRow.getByRole('img').getAttribute('aria-label')) ?? '',
      /^Ada QuietNora and Nora Waits: messages per week over the last 12 weeks, oldest first: (\d+, ){11}\d+$/,
    );
    await screenshot(page, 'programme-view');

    await page.getByLabel('Only pairs at risk').check();
    await until('one pair at risk is listed', async () => (await page.locator('#programme-body tr').count()) === 1);
    assert.equal(await table.getByText('Kai Fine').count(), 0);
    await page.getByLabel('Only pairs at risk').uncheck();
    await page.getByRole('searchbox', { name: 'Find a pair' }).fill('kai');
    await until('only Kai is listed', async () => (await page.locator('#programme-body tr').allInnerTexts()).every((row) => row.includes('Kai')));
    assert.match((await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')) ?? '', /pairs\.csv\?sort=risk&q=kai$/);

    await page.getByText('The weeks as a table').click();
    const weeks = page.getByRole('table', { name: 'Messages, pairs that wrote, new and ended matches per ISO week' });
    assert.equal(await weeks.getByRole('row').count(), 13, 'a header and 12 weeks');
    assert.match(await weeks.getByRole('row').last().innerText(), /^\d{4}-W\d{2}\s+\d+\s+\d+\s+[1-9]\d*\s+\d+$/);
  });

  it('an announcement from the form appears live on a mentee’s chat page, stays after a reload, and can be dismissed', async (t) => {
    const { mentee } = await waitingPair('Ola');
    const person = await signedInPerson(t, scene, mentee, PHONE);
    const admin = await adminPage(t);
    await admin.page.getByLabel('Message', { exact: true }).fill('Our summer meet-up is on Saturday at 2pm.');
    await admin.page.getByLabel('To', { exact: true }).selectOption('mentees');
    await admin.page.getByRole('button', { name: 'Send' }).click();
    await admin.page.getByText('Sent to mentees.').waitFor();

    const region = person.page.getByRole('region', { name: 'Announcements from your programme' });
    await region.getByText('Our summer meet-up is on Saturday at 2pm.').waitFor();
    await screenshot(person.page, 'announcement-phone');
    await person.page.reload();
    await region.getByText('Our summer meet-up is on Saturday at 2pm.').waitFor();
    await region
      .getByRole('button', { name: /^Dismiss the announcement of / })
      .first()
      .click();
    await region.waitFor({ state: 'hidden' });
    // A later announcement shows after a reload; the dismissed one does not come back.
    await admin.page.getByLabel('Message', { exact: true }).fill('Bring a friend to the meet-up.');
    await admin.page.getByRole('button', { name: 'Send' }).click();
    await region.getByText('Bring a friend to the meet-up.').waitFor();
    await person.page.reload();
    await region.getByText('Bring a friend to the meet-up.').waitFor();
    assert.equal(await region.getByText('Our summer meet-up is on Saturday at 2pm.').count(), 0, 'a dismissed announcement stays dismissed on this device');
  });
});
