/**
 * The admin page's views in real Chromium, at 1280×800 and 390×844: a nav of links whose
 * current one says so, the URL's hash keeping the view across a reload, Safeguarding starting
 * at the top of the page; live counts and lists that follow a hold and a report made
 * elsewhere without a reload; a report card that names who wrote and who reported, and
 * pauses the pair from where it is.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { Agent, matchedPair } from './helpers/http.js';
import { ADMIN, suiteCleanup } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { openPerson, screenshot, scrollsSideways, withChromium, type Person, type Viewport } from './browser/harness.js';
import { openScene, type Scene } from './browser/scene.js';

const WIDE: Viewport = { width: 1280, height: 800 };
const NARROW: Viewport = { width: 390, height: 844 };
const enc = encodeURIComponent;

withChromium('admin views in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup, { CONVERSATION_POLICY: 'moderated' });
  });

  async function adminPage(t: { after(fn: () => unknown): void }, viewport: Viewport, hash = ''): Promise<Person> {
    const admin = await openPerson(scene.browser, `${scene.server.http}/admin${hash}`, viewport);
    t.after(async () => {
      await admin.context.close();
      assert.deepEqual(admin.problems, [], "the admin's page reported problems");
    });
    const form = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByRole('navigation', { name: 'Admin views' }).waitFor();
    return admin;
  }

  it('each view is a link of the nav; the hash keeps it; Safeguarding starts at the top', async (t) => {
    const { page } = await adminPage(t, WIDE);
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Admin views' });
    assert.equal(await nav.getByRole('link', { name: 'People' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('link', { name: /^Deliveries/ }).count(), 0, 'no webhook: no Deliveries view');
    for (const view of ['Matches', 'Safeguarding', 'Programme']) {
      await nav.getByRole('link', { name: new RegExp(`^${view}`) }).click();
      const heading = page.getByRole('heading', { name: view, level: 1 });
      await heading.waitFor();
      assert.equal(new URL(page.url()).hash, `#${view.toLowerCase()}`);
      assert.equal(await nav.getByRole('link', { name: new RegExp(`^${view}`) }).getAttribute('aria-current'), 'page');
      assert.equal(await heading.evaluate((element) => element.ownerDocument.activeElement === element), true, 'focus on the heading');
      assert.equal(await page.getByRole('heading', { name: 'People', level: 1 }).count(), 0, 'one view at a time');
    }
    await nav.getByRole('link', { name: /^Safeguarding/ }).click();
    const top = await page.locator('#safeguarding-title').evaluate((element) => element.getBoundingClientRect().top);
    assert.ok(top < 200, `the Safeguarding heading starts ${top}px down`);
    await page.reload();
    await page.getByRole('heading', { name: 'Safeguarding', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Programme', level: 1 }).waitFor();
  });

  it('a hold and a report made elsewhere appear without a reload; the report card pauses the pair', async (t) => {
    const admin = await adminPage(t, WIDE, '#safeguarding');
    const { page } = admin;
    await page.getByRole('heading', { name: 'Safeguarding', level: 1 }).waitFor();
    await page.locator('#admin-view[data-counts]').waitFor({ state: 'attached' });
    const { mentor, mentee } = await matchedPair(scene.admin);
    const chat = await connectChat(scene.server.ws, mentor.email, mentee.cookie);
    chat.send({ type: 'chat_message', content: 'Add me on snap, my handle is mia.lee09' });
    assert.equal((await chat.expect('chat_message')).status, 'held');
    await page.locator('#held-list li', { hasText: 'mia.lee09' }).waitFor();
    await page.getByRole('link', { name: /^Safeguarding \(\d+ held\)$/ }).waitFor();

    chat.send({ type: 'chat_message', content: 'Your drawing was rubbish, honestly' });
    const said = await chat.until((frame) => frame.type === 'chat_message' && frame.content === 'Your drawing was rubbish, honestly');
    const reported = await new Agent(scene.server.http).post(
      `/api/chat/${enc(mentee.email)}/messages/${said.frame.message_id}/report`,
      { reason: 'It made me uncomfortable' },
      { cookie: mentor.cookie! },
    );
    assert.equal(reported.status, 201, JSON.stringify([reported.body, said.frame]));
    const card = page.locator('#report-list li', { hasText: 'It made me uncomfortable' });
    await card.waitFor();
    assert.match(await card.locator('p.who').innerText(), /^Mentor Person reported a message from Mentee Person/);
    await page.getByRole('link', { name: /^Safeguarding \(\d+ held, \d+ reports?\)$/ }).waitFor();
    await card.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    const shot = await screenshot(page, 'admin-views-safeguarding');
    if (process.env.TANDEM_UPDATE_DOCS === '1') copyFileSync(shot, join(process.cwd(), 'docs', 'admin-views.png'));
    await card.getByRole('button', { name: 'Open the conversation of Mentor Person and Mentee Person' }).click();
    await card.getByRole('heading', { name: 'The conversation of Mentor Person and Mentee Person' }).waitFor();
    await card.locator('.opened li.highlight', { hasText: 'Your drawing was rubbish' }).waitFor();
    assert.equal((await chat.expect('notice')).type, 'notice', 'the pair is told an admin read it');
    await card.getByRole('button', { name: 'Pause Mentor Person and Mentee Person' }).click();
    await card.getByRole('status').filter({ hasText: 'are paused' }).waitFor();
    assert.equal((await chat.expect('match_state')).state, 'paused');
    await chat.close();
  });

  it('at 390×844 the nav wraps and nothing scrolls sideways', async (t) => {
    const { page } = await adminPage(t, NARROW, '#safeguarding');
    await page.getByRole('heading', { name: 'Safeguarding', level: 1 }).waitFor();
    assert.equal(await scrollsSideways(page), false);
    await screenshot(page, 'admin-views-phone');
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    assert.equal(await scrollsSideways(page), false);
    await screenshot(page, 'admin-views-people-phone');
  });
});
