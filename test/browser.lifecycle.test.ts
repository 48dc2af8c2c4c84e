/**
 * The match lifecycle on the chat page, in real Chromium: a new match appears at once, an
 * archived conversation stays readable and marked, a pause shows its banner, a read in one
 * browser clears the badge in another, the page comes back right after a server restart, the
 * unmatch banner never hides the newest message, and the page's own small promises (draft,
 * counter, header at 375 px, one clear empty state, no 401 in a signed-out console).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { createUser, loginAdmin, match } from './helpers/http.js';
import { ADMIN } from './helpers/accounts.js';
import { freePort } from './helpers/backends.js';
import { startServer, suiteCleanup, tempDir } from './helpers/server.js';
import { ARTIFACTS, composer, DESKTOP, openPerson, PHONE, screenshot, sendWithEnter, shownMessages, withChromium, WAIT_MS } from './browser/harness.js';
import { connected, openScene, pairInBrowsers, signedInPerson, storedContents, type Scene } from './browser/scene.js';

const enc = encodeURIComponent;

/** Copies a screenshot into docs/ when TANDEM_UPDATE_DOCS=1 (the README and docs/web.md show them). */
function toDocs(path: string, name: string): void {
  if (process.env.TANDEM_UPDATE_DOCS !== '1') return;
  const docs = join(process.cwd(), 'docs');
  mkdirSync(docs, { recursive: true });
  copyFileSync(path, join(docs, name));
}

withChromium('match lifecycle on the chat page in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  it('a mentee without a mentor sees one clear message; her new match opens at once', async (t) => {
    const mentor = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const mentee = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const person = await signedInPerson(t, scene, mentee);
    const page = person.page;
    await page.locator('#no-partners', { hasText: 'You have no mentor yet' }).waitFor();
    assert.equal(await page.locator('#conversation').isVisible(), false, 'no empty pane or disabled composer beside it');
    assert.equal(await page.getByText('Choose a conversation').isVisible(), false);
    await screenshot(page, 'lifecycle-no-mentor');

    const started = performance.now();
    await match(scene.admin, mentor, mentee);
    await page.locator('#conversation-title', { hasText: 'Tom Ng' }).waitFor();
    const shown = performance.now() - started;
    await connected(person);
    t.diagnostic(
      `match API call to the mentee's page showing the conversation: ${Math.round(shown)} ms (connected after ${Math.round(performance.now() - started)} ms)`,
    );
    assert.equal(await page.locator('#no-partners').isVisible(), false);
  });

  it('an archived conversation is readable and clearly marked; a rematch opens a live one again', async (t) => {
    const { mentee, mentor, menteeAgent, mentorAgent } = await pairInBrowsers(t, scene);
    await sendWithEnter(mentee.page, 'Thank you for all the help this term!');
    await mentor.page.locator('#message-list li', { hasText: 'all the help' }).waitFor();
    await sendWithEnter(mentor.page, 'It was a pleasure, Mia. Good luck with the exams.');
    await mentee.page.locator('#message-list li', { hasText: 'Good luck' }).waitFor();
    assert.equal((await scene.admin.delete(`/api/matches/${enc(menteeAgent.email)}`)).status, 204);
    await mentee.page.locator('#banner:not([hidden])').waitFor();

    await mentee.page.reload();
    await mentee.page.locator('#banner[data-kind="archived"]', { hasText: 'Archived' }).waitFor();
    await mentee.page.locator('.partner .badge', { hasText: 'Archived' }).waitFor();
    assert.deepEqual(await shownMessages(mentee.page), ['Thank you for all the help this term!', 'It was a pleasure, Mia. Good luck with the exams.']);
    assert.equal(await composer(mentee.page).isDisabled(), true);
    toDocs(await screenshot(mentee.page, 'archived-conversation'), 'archived-conversation.png');

    await match(scene.admin, mentorAgent, menteeAgent);
    await mentee.page.locator('#banner[hidden]').waitFor({ state: 'attached' });
    await connected(mentee);
    await sendWithEnter(mentee.page, 'Back again!');
    await mentor.page.locator('#message-list li', { hasText: 'Back again!' }).waitFor();
  });

  it('a paused match shows its banner on both pages and refuses sending until resumed', async (t) => {
    const { mentee, mentor, menteeAgent, mentorAgent } = await pairInBrowsers(t, scene);
    await scene.admin.post(`/api/matches/${enc(menteeAgent.email)}/pause`);
    for (const person of [mentee, mentor]) {
      await person.page.locator('#banner[data-kind="paused"]', { hasText: 'paused' }).waitFor();
      await person.page.locator('#composer-input:disabled').waitFor();
    }
    await screenshot(mentee.page, 'lifecycle-paused');
    // Try to send anyway, as someone who re-enables the box by hand: it must not go out.
    await mentee.page.evaluate(`document.querySelector('#composer-input').disabled = false`);
    await sendWithEnter(mentee.page, 'Sent while paused');
    await scene.admin.post(`/api/matches/${enc(menteeAgent.email)}/resume`);
    await mentee.page.locator('#banner[hidden]').waitFor({ state: 'attached' });
    await connected(mentee);
    await sendWithEnter(mentee.page, 'Resumed');
    await mentor.page.locator('#message-list li', { hasText: 'Resumed' }).waitFor();
    // 'Resumed' is a marker: what was tried while paused reached neither the page nor the store.
    assert.deepEqual(await shownMessages(mentor.page), ['Resumed']);
    assert.deepEqual(await storedContents(mentorAgent, menteeAgent.email), ['Resumed']);
  });

  it('a read in one browser clears the unread badge in the other', async (t) => {
    const mentor = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const mia = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const sam = await createUser(scene.admin, { role: 'MENTEE', first: 'Sam', last: 'Okafor' });
    await match(scene.admin, mentor, mia);
    await match(scene.admin, mentor, sam);
    const laptop = await signedInPerson(t, scene, mentor);
    await laptop.page.getByRole('button', { name: /Sam Okafor/ }).click();
    await connected(laptop);
    const menteePage = await signedInPerson(t, scene, mia);
    await connected(menteePage);
    await sendWithEnter(menteePage.page, 'Are you free on Friday?');
    const miaOnLaptop = laptop.page.getByRole('button', { name: /Mia Lee/ });
    await miaOnLaptop.locator('.unread', { hasText: '1' }).waitFor();

    const phone = await signedInPerson(t, scene, mentor, PHONE);
    await phone.page.getByRole('button', { name: /Mia Lee/ }).click();
    await phone.page.locator('#message-list li', { hasText: 'Friday' }).waitFor();
    await miaOnLaptop.locator('.unread[data-count="0"]').waitFor({ state: 'attached' });
    assert.equal(await laptop.page.title(), 'Tandem');
  });

  it('after a server restart (close 1001) the page reconnects by itself and goes on', async (t) => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: `sqlite:${join(tempDir(t), 'restart.db')}` };
    let server = await startServer(t, env);
    const admin = await loginAdmin(server.http);
    const mentor = await createUser(admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const mentee = await createUser(admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    await match(admin, mentor, mentee);
    const local: Scene = { ...scene, server, admin };
    const menteePage = await signedInPerson(t, local, mentee);
    // Every close code the page's sockets see, from the page's own WebSocket events.
    await menteePage.page.addInitScript(`(() => {
      const Native = window.WebSocket;
      window.closeCodes = [];
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener('close', (event) => window.closeCodes.push(event.code));
        }
      };
    })()`);
    await menteePage.page.reload();
    await connected(menteePage);

    await server.close();
    await menteePage.page.locator('#connection:not([data-state="open"])').waitFor({ state: 'attached' });
    const codes = await menteePage.page.evaluate<number[]>('window.closeCodes');
    assert.ok(codes.length > 0 && codes.every((code) => code === 1001), `the page saw its sockets close with 1001 (going away): ${JSON.stringify(codes)}`);
    const restarted = performance.now();
    server = await startServer(t, env);
    await menteePage.page.locator('#connection[data-state="open"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    t.diagnostic(`the page was connected again ${Math.round(performance.now() - restarted)} ms after the new server started listening`);
    await sendWithEnter(menteePage.page, 'Still here after the restart');
    await menteePage.page.locator('#message-list li.mine', { hasText: 'after the restart' }).waitFor();
  });

  it('the unmatch banner does not hide the newest message: the view stays scrolled to it', async (t) => {
    const { mentee, mentor, menteeAgent } = await pairInBrowsers(t, scene, { mentee: { width: 900, height: 520 } });
    for (let i = 1; i <= 14; i++) {
      await sendWithEnter(mentor.page, `Message number ${i} with enough words to take some room in the log`);
    }
    await mentee.page.locator('#message-list li', { hasText: 'Message number 14' }).waitFor();
    await scene.admin.delete(`/api/matches/${enc(menteeAgent.email)}`);
    await mentee.page.locator('#banner:not([hidden])').waitFor();
    const last = mentee.page.locator('#message-list li', { hasText: 'Message number 14' });
    const [box, log] = await Promise.all([last.boundingBox(), mentee.page.locator('#messages').boundingBox()]);
    assert.ok(box && log, 'both are laid out');
    assert.ok(box.y + box.height <= log.y + log.height + 1, `the last message (bottom ${box.y + box.height}) is inside the log (bottom ${log.y + log.height})`);
    await screenshot(mentee.page, 'lifecycle-unmatch-banner');
  });

  it('the draft survives a reload, and a counter shows near the 5000-character limit', async (t) => {
    const { mentee } = await pairInBrowsers(t, scene);
    await composer(mentee.page).fill('A draft I have not sent yet');
    await mentee.page.reload();
    await connected(mentee);
    assert.equal(await composer(mentee.page).inputValue(), 'A draft I have not sent yet');
    assert.equal(await mentee.page.locator('#composer-count').isVisible(), false, 'no counter far from the limit');
    await composer(mentee.page).fill('x'.repeat(4600));
    await mentee.page.locator('#composer-count', { hasText: '4600 / 5000' }).waitFor();
    await composer(mentee.page).fill('x'.repeat(5001));
    await mentee.page.locator('#composer-count.over', { hasText: '5001 / 5000' }).waitFor();
    await composer(mentee.page).fill('');
    await mentee.page.reload();
    await connected(mentee);
    assert.equal(await composer(mentee.page).inputValue(), '', 'a cleared draft stays cleared');
  });

  it('the header stays on one line at 375 px', async (t) => {
    const admin = await createUser(scene.admin, { role: 'ADMIN', first: 'Alexandrina', last: 'Featherstonehaugh' });
    const person = await signedInPerson(t, scene, admin, PHONE);
    // Lines of text per item: the distinct tops of the rectangles its text is laid out in.
    const layout = await person.page.evaluate<{ bar: number; lines: Record<string, number> }>(
      `(() => ({ bar: document.querySelector('.topbar').getBoundingClientRect().height,
        lines: Object.fromEntries([...document.querySelectorAll('.topbar .brand, #whoami, #admin-link, #sign-out')].map((e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          return [e.id || e.className, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size];
        })) }))()`,
    );
    assert.deepEqual(layout.lines, { brand: 1, whoami: 1, 'admin-link': 1, 'sign-out': 1 });
    await screenshot(person.page, 'lifecycle-header-375');
    // The bar is as tall as on a wide screen, where everything surely fits on one line.
    await person.page.setViewportSize({ width: 1280, height: 800 });
    const wide = await person.page.evaluate<number>(`document.querySelector('.topbar').getBoundingClientRect().height`);
    assert.equal(layout.bar, wide, 'the bar keeps its one-line height');
  });

  it("the admin's directory: who is waiting, each mentor's load, search, and match from the list", async (t) => {
    const mentor = await createUser(scene.admin, { role: 'MENTOR', first: 'Priya', last: 'Raman' });
    const busy = await createUser(scene.admin, { role: 'MENTEE', first: 'Jon', last: 'Berg' });
    const waiting = await createUser(scene.admin, { role: 'MENTEE', first: 'Lea', last: 'Moreau' });
    await match(scene.admin, mentor, busy);
    const admin = await openPerson(scene.browser, `${scene.server.http}/admin`);
    t.after(async () => {
      await admin.context.close();
      assert.deepEqual(admin.problems, []);
    });
    const form = admin.page.getByRole('form', { name: 'Sign in as an admin' });
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    const waitingRow = admin.page.locator(`#directory-body tr[data-email="${waiting.email}"]`);
    await waitingRow.waitFor();
    assert.match(await waitingRow.innerText(), /Waiting since/);
    assert.equal(await admin.page.locator(`#directory-body tr[data-email="${busy.email}"]`).count(), 0, 'the default list is who is waiting');

    await admin.page.getByLabel('Show').selectOption('');
    await admin.page.getByRole('searchbox', { name: 'Search' }).fill('raman');
    // The search answers after a short pause in typing; then Priya is the whole list.
    await admin.page.locator('#directory-body tr').nth(1).waitFor({ state: 'detached' });
    const mentorRow = admin.page.locator(`#directory-body tr[data-email="${mentor.email}"]`);
    assert.equal(await admin.page.locator('#directory-body tr').count(), 1);
    assert.match(await mentorRow.innerText(), /Jon Berg/);
    assert.match(await mentorRow.innerText(), /1 \/ no limit/);
    await admin.page.getByRole('searchbox', { name: 'Search' }).fill('');
    await admin.page.locator('#directory-body tr').nth(3).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'admin-directory.png');
    await admin.page.locator('.directory-card').screenshot({ path: shot, animations: 'disabled', caret: 'hide' });
    toDocs(shot, 'admin-directory.png');

    await admin.page.getByRole('button', { name: 'Match Lea Moreau' }).click();
    assert.equal(await admin.page.locator('#match-mentee').inputValue(), waiting.email);
    await admin.page.locator('#match-mentor').fill(mentor.email);
    await admin.page.locator('#match-submit').click();
    await admin.page.locator('#match-ok', { hasText: 'Matched' }).waitFor();
    await admin.page.getByRole('searchbox', { name: 'Search' }).fill('raman');
    await mentorRow.locator('td', { hasText: 'Lea Moreau' }).waitFor();
    await admin.page.getByRole('link', { name: 'Matches' }).click();
    const pause = admin.page.getByRole('button', { name: 'Pause Lea Moreau and Priya Raman' });
    await pause.click();
    await admin.page.locator(`#matches-body tr[data-mentee="${waiting.email}"] .state[data-paused="true"]`).waitFor();
    assert.equal((await scene.admin.get('/api/matches')).body.matches.find((m: any) => m.mentee.email === waiting.email).paused, true);
  });

  it("a signed-out visitor's console shows no 401 or other error", async () => {
    const context = await scene.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${scene.server.http}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
    assert.deepEqual(errors, []);
  });
});
