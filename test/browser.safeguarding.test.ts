/**
 * Safeguarding in real Chromium, under CONVERSATION_POLICY=moderated: the sender sees a held
 * message explained (why, who checks it, that the partner cannot see it yet) and the partner
 * sees nothing of it; the admin page's
 * queue shows it with its context and approves it (the partner then sees it) or rejects it
 * with a reason (the sender sees why); an admin's viewing shows both a notice; the partner
 * reports a message from its action menu and the admin page lists it. Screenshots of both
 * pages land in .test-artifacts/browser/ (and, with TANDEM_UPDATE_DOCS=1, in docs/).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { ADMIN, suiteCleanup } from './helpers/server.js';
import { DESKTOP, openPerson, screenshot, sendWithEnter, withChromium, type Person } from './browser/harness.js';
import { openScene, pairInBrowsers, type Scene } from './browser/scene.js';

function toDocs(path: string, name: string): void {
  if (process.env.TANDEM_UPDATE_DOCS !== '1') return;
  const docs = join(process.cwd(), 'docs');
  mkdirSync(docs, { recursive: true });
  copyFileSync(path, join(docs, name));
}

withChromium('safeguarding in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup, { CONVERSATION_POLICY: 'moderated' });
  });

  async function adminPage(t: { after(fn: () => unknown): void }): Promise<Person> {
    const admin = await openPerson(scene.browser, `${scene.server.http}/admin#safeguarding`, DESKTOP);
    t.after(async () => {
      await admin.context.close();
      assert.deepEqual(admin.problems, [], "the admin's page reported problems");
    });
    const form = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByRole('heading', { name: 'Safeguarding' }).waitFor();
    return admin;
  }

  it("holds, approves, rejects, shows the admin's visit, and takes a report", async (t) => {
    const { mentor, mentee, mentorAgent } = await pairInBrowsers(t, scene);
    await sendWithEnter(mentee.page, 'Hi Tom, shall we talk about my project?');
    await mentor.page.locator('#message-list li', { hasText: 'talk about my project' }).waitFor();
    await sendWithEnter(mentor.page, 'Sure! Tell me more.');
    await mentee.page.locator('#message-list li', { hasText: 'Tell me more' }).waitFor();

    // Held: marked on the sender's page, absent from the partner's.
    await sendWithEnter(mentee.page, 'Text me on 07911 123456');
    const held = mentee.page.locator('#message-list li[data-state="held"]', { hasText: 'Waiting for a coordinator to check it' });
    await held.waitFor();
    assert.match(await held.innerText(), /contact details[\s\S]*A coordinator from your programme will look at it\. Tom can't see it until they approve it\./);
    assert.match(await held.locator('time').innerText(), /^\d\d:\d\d$/);
    await sendWithEnter(mentee.page, 'It is about robots');
    await mentor.page.locator('#message-list li', { hasText: 'about robots' }).waitFor();
    assert.equal(await mentor.page.locator('#messages', { hasText: '07911' }).count(), 0, 'the partner never sees the held message');

    const admin = await adminPage(t);
    const item = admin.page.locator('#held-list li', { hasText: 'Text me on 07911 123456' });
    await item.waitFor();
    assert.match(await item.innerText(), /held for a phone number/);
    assert.match(await item.locator('.context').innerText(), /Tell me more/);
    await admin.page.locator('#safeguarding-title').scrollIntoViewIfNeeded();
    await screenshot(admin.page, 'admin-safeguarding-queue');
    await item.getByRole('button', { name: 'Approve' }).click();
    await mentor.page.locator('#message-list li', { hasText: 'Text me on 07911 123456' }).waitFor();
    await mentee.page.locator('#message-list li', { hasText: 'Text me on 07911 123456' }).waitFor();
    await mentee.page.locator('#message-list li[data-state="held"]').waitFor({ state: 'detached' });

    // Rejected: the sender sees why; the partner never sees it.
    await sendWithEnter(mentee.page, 'My email is mia@example.com');
    await mentee.page.locator('#message-list li[data-state="held"]', { hasText: 'mia@example.com' }).waitFor();
    await admin.page.reload();
    const second = admin.page.locator('#held-list li', { hasText: 'mia@example.com' });
    await second.getByLabel('Reason for rejecting').fill('Please keep contact details off the platform');
    await second.getByRole('button', { name: 'Reject' }).click();
    await second.waitFor({ state: 'detached' });
    await mentee.page.locator('#message-list li[data-state="rejected"]', { hasText: 'Not delivered: Please keep contact details off the platform' }).waitFor();
    // The mentor's page: a later marker arrives, and the rejected message never did.
    await sendWithEnter(mentee.page, 'Sorry about that');
    await mentor.page.locator('#message-list li', { hasText: 'Sorry about that' }).waitFor();
    assert.equal(await mentor.page.locator('#messages', { hasText: 'mia@example.com' }).count(), 0, 'the partner never sees the rejected message');

    // An admin opens the conversation: both see the notice.
    const pairs = (await scene.admin.get('/api/conversations')).body.conversations as Array<{ pair_id: string; mentor: { email: string } }>;
    const pairId = pairs.find((row) => row.mentor.email === mentorAgent.email)!.pair_id;
    assert.equal((await scene.admin.post(`/api/conversations/${pairId}/messages`)).status, 200);
    for (const person of [mentee, mentor]) {
      await person.page.locator('#message-list li[data-kind="admin_viewed"]', { hasText: 'viewed this conversation' }).waitFor();
    }
    const chatShot = await screenshot(mentee.page, 'chat-safeguarding');
    toDocs(chatShot, 'chat-safeguarding.png');

    // The mentor reports a message; the admin page lists it with its context, and resolves it.
    await mentor.page
      .locator('#message-list li', { hasText: 'about robots' })
      .getByRole('button', { name: /^Actions for message from Mia Lee, \d\d:\d\d$/ })
      .click();
    await mentor.page.getByRole('menuitem', { name: /^Report message from Mia Lee, \d\d:\d\d$/ }).click();
    const sheet = mentor.page.getByRole('dialog', { name: 'Report a message' });
    await sheet.getByLabel('Something else').check();
    await sheet.getByLabel(/Anything you want to add/).fill('It made me uneasy');
    await sheet.getByRole('button', { name: 'Send report' }).click();
    await sheet.getByRole('heading', { name: 'Thank you for telling us' }).waitFor();
    await sheet.getByRole('button', { name: 'Close' }).click();
    await mentor.page.locator('#message-list li[data-reported="true"]', { hasText: 'about robots' }).waitFor();
    await admin.page.reload();
    const report = admin.page.locator('#report-list li', { hasText: 'It made me uneasy' });
    await report.waitFor();
    assert.match(await report.locator('.context .highlight').innerText(), /about robots/);
    await admin.page.locator('#audit-body tr', { hasText: 'reject' }).first().waitFor();
    await admin.page.locator('#safeguarding-title').evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    const adminShot = await screenshot(admin.page, 'admin-safeguarding');
    toDocs(adminShot, 'admin-safeguarding.png');
    await report.getByLabel('Note on what was done').fill('Talked with both of them');
    await report.getByRole('button', { name: 'Resolve' }).click();
    await report.waitFor({ state: 'detached' });
  });
  it("the word list card adds a phrase, takes one of Tandem's off, and puts it back", async (t) => {
    const admin = await adminPage(t);
    const card = admin.page.locator('section', { has: admin.page.getByRole('heading', { name: 'Word list' }) });
    await card.getByText(/The filter holds \d+ phrases/).waitFor();
    const phrase = card.getByLabel('A word or a phrase');
    await phrase.fill('Volcano  Museum');
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await card.locator('#words-added li', { hasText: 'volcano museum' }).waitFor();
    await phrase.fill('send me a pic');
    await card.getByRole('button', { name: 'Take off', exact: true }).click();
    await card.locator('#words-removed li', { hasText: 'send me a pic' }).waitFor();
    await card.getByRole('button', { name: 'Put back: send me a pic' }).click();
    await card.locator('#words-removed li.phrase').waitFor({ state: 'detached' });
    const listed = (await scene.admin.get('/api/moderation/words')).body;
    assert.deepEqual([listed.added, listed.removed], [['volcano museum'], []]);
    await card.getByRole('button', { name: 'Take off: volcano museum' }).click();
    await card.locator('#words-added li.phrase').waitFor({ state: 'detached' });
    await card.locator('#words-added li', { hasText: 'None.' }).waitFor();
    await screenshot(admin.page, 'admin-word-list');
  });
});
