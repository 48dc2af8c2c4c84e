/**
 * The chat page in real Chromium: a mentor and a mentee, each in their own browser context,
 * chat both ways, see typing and read ticks, keep writing while offline, and reload.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createUser, match } from './helpers/http.js';
import { suiteCleanup } from './helpers/server.js';
import { composer, PHONE, screenshot, scrollsSideways, sendWithEnter, shownMessages, withChromium } from './browser/harness.js';
import { connected, openScene, pairInBrowsers, signedInPerson, storedContents, type Scene } from './browser/scene.js';

withChromium('chat page in Chromium', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  it('mentor and mentee chat both ways (Enter and the Send button)', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene);
    await sendWithEnter(mentee.page, 'Hi Tom! Could we talk about my CV?');
    await mentor.page.locator('#message-list li', { hasText: 'Could we talk about my CV?' }).waitFor();

    await composer(mentor.page).fill('Hi Mia, of course. Thursday at 5?');
    await mentor.page.getByRole('button', { name: 'Send' }).click();
    await mentee.page.locator('#message-list li', { hasText: 'Thursday at 5?' }).waitFor();

    const expected = ['Hi Tom! Could we talk about my CV?', 'Hi Mia, of course. Thursday at 5?'];
    await mentee.page.locator('#pending-list:empty').waitFor({ state: 'attached' });
    assert.deepEqual(await shownMessages(mentee.page), expected);
    assert.deepEqual(await shownMessages(mentor.page), expected);
    assert.equal(await mentee.page.locator('#message-list li.mine').count(), 1, 'own messages are marked as such');
    assert.equal(await composer(mentee.page).inputValue(), '', 'the composer is cleared after sending');
    assert.equal(await mentee.page.evaluate<string | undefined>('document.activeElement?.id'), 'composer-input', 'focus stays in the composer');
    await screenshot(mentor.page, 'chat-both-ways-mentor');
  });

  it('shows "typing…" while the partner types, and clears it', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene);
    await composer(mentee.page).pressSequentially('I am wri');
    await mentor.page.locator('#typing', { hasText: 'Mia is typing…' }).waitFor();
    await mentor.page.locator('.partner-preview.typing', { hasText: 'typing…' }).waitFor();
    await screenshot(mentor.page, 'typing-mentor');
    await composer(mentee.page).fill('');
    await mentor.page.locator('#typing:empty').waitFor({ state: 'attached' });

    await composer(mentee.page).pressSequentially('Sending now');
    await mentor.page.locator('#typing', { hasText: 'Mia is typing…' }).waitFor();
    await composer(mentee.page).press('Enter');
    await mentor.page.locator('#message-list li', { hasText: 'Sending now' }).waitFor();
    await mentor.page.locator('#typing:empty').waitFor({ state: 'attached' });
  });

  it('shows a read tick once the partner has the conversation open, and counts unread meanwhile', async (t) => {
    const { mentor, mentee, mentorAgent } = await pairInBrowsers(t, scene);
    // A second mentee, so that the mentor can look at another conversation.
    const other = await createUser(scene.admin, { role: 'MENTEE', first: 'Sam', last: 'Okafor' });
    await match(scene.admin, mentorAgent, other);
    await mentor.page.reload();
    await mentor.page.getByRole('button', { name: /Sam Okafor/ }).click();
    await connected(mentor);

    await sendWithEnter(mentee.page, 'Are you there?');
    await mentee.page.locator('#message-list li.mine .tick.sent').waitFor();
    const miaRow = mentor.page.getByRole('button', { name: /Mia Lee/ });
    await miaRow.locator('.unread', { hasText: '1' }).waitFor();
    assert.match((await miaRow.getAttribute('aria-label')) ?? '', /1 unread/);
    // Not read while the mentor looks elsewhere: a later marker is counted unread too, and
    // once it is acknowledged no read tick came before it.
    await sendWithEnter(mentee.page, 'marker');
    await miaRow.locator('.unread', { hasText: '2' }).waitFor();
    await mentee.page.locator('#message-list li.mine', { hasText: 'marker' }).locator('.tick.sent').waitFor();
    assert.equal(await mentee.page.locator('.tick.read').count(), 0, 'not read while the mentor looks elsewhere');

    await miaRow.click();
    await mentee.page.locator('#message-list li.mine .tick.read').nth(1).waitFor();
    await miaRow.locator('.unread[data-count="0"]').waitFor({ state: 'attached' });
    await screenshot(mentee.page, 'read-tick-mentee');
  });

  it("isolates each message and name: a right-to-left override in a message flips neither the sender's name nor the tick", async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene);
    const hostile = 'Invoice \u202Efdp.exe and more';
    await sendWithEnter(mentee.page, hostile);
    const own = mentee.page.locator('#message-list li.mine', { hasText: 'Invoice' });
    await own.locator('.tick').waitFor();
    await mentor.page.locator('#message-list li', { hasText: 'Invoice' }).waitFor();
    await mentor.page.locator('.partner-preview', { hasText: 'Invoice' }).waitFor();
    // Each body is its own bidi island; names and previews in the list are isolated too.
    for (const [page, selector] of [
      [mentee.page, '#message-list li.mine .body'],
      [mentor.page, '#message-list li .body'],
      [mentor.page, '.partner-name'],
      [mentor.page, '.partner-preview'],
    ] as const) {
      const style = await page
        .locator(selector)
        .first()
        .evaluate((element: any) => ({
          dir: element.getAttribute('dir') as string | null,
          bidi: (globalThis as any).getComputedStyle(element).unicodeBidi as string,
        }));
      assert.ok(['isolate', 'plaintext', 'isolate-override'].includes(style.bidi), `${selector}: unicode-bidi ${style.bidi}`);
      if (selector.endsWith('.body')) assert.equal(style.dir, 'auto', `${selector} has dir="auto"`);
    }
    // Laid out left to right: the first letter of a name left of its last, the time left of the tick.
    // Runs in the page (the test's own compiler knows no DOM types).
    const leftToRight = (element: any): boolean => {
      const text = element.firstChild;
      const range = (globalThis as any).document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, 1);
      const first = range.getBoundingClientRect().left;
      range.setStart(text, text.length - 1);
      range.setEnd(text, text.length);
      return first < range.getBoundingClientRect().left;
    };
    assert.equal(await mentor.page.locator('.partner-name', { hasText: 'Mia Lee' }).evaluate(leftToRight), true, "the sender's name reads left to right");
    assert.equal(await mentee.page.locator('#conversation-title').evaluate(leftToRight), true, "the partner's name reads left to right");
    const [time, tick] = await Promise.all([own.locator('time').boundingBox(), own.locator('.tick').boundingBox()]);
    assert.ok(time && tick && time.x < tick.x, `the tick stays right of the time: ${JSON.stringify({ time, tick })}`);
    assert.deepEqual((await shownMessages(mentor.page)).slice(-1), [hostile]);
    await screenshot(mentor.page, 'bidi-isolated-mentor');
  });

  it('keeps what the mentee writes offline as pending and sends each message once, in order, when back', async (t) => {
    const { mentor, mentee, mentorAgent, menteeAgent } = await pairInBrowsers(t, scene, { mentee: PHONE });
    await sendWithEnter(mentee.page, 'Before the tunnel');
    await mentor.page.locator('#message-list li', { hasText: 'Before the tunnel' }).waitFor();

    await mentee.context.setOffline(true);
    await mentee.page.locator('#connection', { hasText: 'offline' }).waitFor();
    await sendWithEnter(mentee.page, 'Written offline, first');
    await sendWithEnter(mentee.page, 'Written offline, second');
    const pending = mentee.page.locator('#pending-list li');
    await pending.nth(1).waitFor();
    assert.deepEqual(await pending.locator('.body').allTextContents(), ['Written offline, first', 'Written offline, second']);
    assert.deepEqual(await pending.locator('.pending-status').allTextContents(), ['Waiting for connection…', 'Waiting for connection…']);
    await screenshot(mentee.page, 'offline-pending-phone');
    assert.deepEqual(await shownMessages(mentor.page), ['Before the tunnel'], 'nothing left the offline page');

    await mentee.context.setOffline(false);
    await mentor.page.locator('#message-list li', { hasText: 'Written offline, second' }).waitFor();
    await mentee.page.locator('#pending-list:empty').waitFor({ state: 'attached' });
    const expected = ['Before the tunnel', 'Written offline, first', 'Written offline, second'];
    assert.deepEqual(await shownMessages(mentor.page), expected);
    assert.deepEqual(await shownMessages(mentee.page), expected);
    assert.deepEqual(await storedContents(mentorAgent, menteeAgent.email), expected, 'stored once each, in order');
    await screenshot(mentee.page, 'back-online-phone');
  });

  it('keeps the history, read ticks included, across a reload', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene);
    for (const text of ['One', 'Two', 'Three']) await sendWithEnter(mentee.page, text);
    await mentor.page.locator('#message-list li', { hasText: 'Three' }).waitFor();
    await sendWithEnter(mentor.page, 'Got all three');
    await mentee.page.locator('#message-list li', { hasText: 'Got all three' }).waitFor();
    await mentee.page.locator('#message-list li.mine .tick.read').nth(2).waitFor();

    await mentee.page.reload();
    await connected(mentee);
    await mentee.page.locator('#message-list li', { hasText: 'Got all three' }).waitFor();
    assert.deepEqual(await shownMessages(mentee.page), ['One', 'Two', 'Three', 'Got all three']);
    assert.equal(await mentee.page.locator('#message-list li.mine .tick.read').count(), 3);
    assert.equal(await mentee.page.locator('#pending-list li').count(), 0);

    await mentor.page.reload();
    await connected(mentor);
    await mentor.page.locator('#message-list li', { hasText: 'Got all three' }).waitFor();
    assert.deepEqual(await shownMessages(mentor.page), ['One', 'Two', 'Three', 'Got all three']);
  });

  it('loads older pages when scrolling up, without moving the message being read', async (t) => {
    const mentorAgent = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const menteeAgent = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    await match(scene.admin, mentorAgent, menteeAgent);
    const store = scene.server.tandem.store;
    const mentorUser = (await store.accounts.byEmail(mentorAgent.email))!;
    const found = (await store.matches.activePairWith(mentorUser, menteeAgent.email))!;
    for (let i = 1; i <= 45; i++) await store.messages.append({ pairId: found.pair.id, senderId: mentorUser.id, content: `Note ${i}` });

    const mentor = await signedInPerson(t, scene, mentorAgent);
    await connected(mentor);
    await mentor.page.locator('#message-list li', { hasText: 'Note 45' }).waitFor();
    assert.equal(await mentor.page.locator('#message-list li.message').count(), 30, 'the newest page first');
    const oldestShown = mentor.page.locator('#message-list li.message').first();
    assert.equal(await oldestShown.locator('.body').textContent(), 'Note 16');

    await mentor.page.locator('#messages').hover();
    await mentor.page.mouse.wheel(0, -20_000);
    await mentor.page.locator('#message-list li .body', { hasText: /^Note 1$/ }).waitFor();
    await mentor.page.locator('#history-note', { hasText: 'Start of your conversation' }).waitFor();
    assert.equal(await mentor.page.locator('#message-list li.message').count(), 45);
    const texts = await shownMessages(mentor.page);
    assert.deepEqual(
      texts,
      Array.from({ length: 45 }, (_, i) => `Note ${i + 1}`),
    );
    const box = await mentor.page.locator('#message-list li .body', { hasText: /^Note 16$/ }).boundingBox();
    const log = await mentor.page.locator('#messages').boundingBox();
    assert.ok(box && log && box.y >= log.y && box.y < log.y + log.height, 'Note 16 stays in view after the older page is inserted above it');
  });

  it('fits a phone: no sideways scrolling, one pane at a time, back to the list', async (t) => {
    const mentorAgent = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const mia = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    const sam = await createUser(scene.admin, { role: 'MENTEE', first: 'Sam', last: 'Okafor' });
    await match(scene.admin, mentorAgent, mia);
    await match(scene.admin, mentorAgent, sam);
    const mentor = await signedInPerson(t, scene, mentorAgent, PHONE);
    const list = mentor.page.getByRole('navigation', { name: 'Conversations' });
    await list.getByRole('button', { name: /Sam Okafor/ }).waitFor();
    assert.equal(await mentor.page.locator('#conversation').isVisible(), false, 'a phone shows the list first');
    assert.equal(await scrollsSideways(mentor.page), false);
    await screenshot(mentor.page, 'list-phone');

    await list.getByRole('button', { name: /Mia Lee/ }).click();
    await connected(mentor);
    assert.equal(await list.isVisible(), false);
    await sendWithEnter(mentor.page, `A long link: https://example.com/${'very-long-path-segment-'.repeat(12)}end`);
    await mentor.page.locator('#message-list li', { hasText: 'A long link' }).waitFor();
    assert.equal(await scrollsSideways(mentor.page), false, 'a long word wraps instead of widening the page');
    await screenshot(mentor.page, 'conversation-phone');

    await mentor.page.getByRole('button', { name: 'Back to conversations' }).click();
    await list.waitFor();
    assert.equal(await mentor.page.locator('#conversation').isVisible(), false);
  });
});
