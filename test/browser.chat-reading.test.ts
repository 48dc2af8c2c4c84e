/**
 * Reading a conversation in real Chromium, at 390×844 and 1280×800: a conversation with
 * unread messages opens at an "N unread messages" divider with a "New messages ↓" button, and
 * nothing is read until the newest message was on screen; days are separated, one sender's
 * messages grouped, links tappable and built safely; the keyboard starts at the page's heading,
 * moves through messages with the arrow keys and opens one action menu per message, its items
 * named with their object; a message in another conversation is announced politely; past days
 * are "Yesterday" or named; coming back to the page opens and reads nothing by itself; the
 * counter leaves the composer its width, and the pause banner says what the mentee can do.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createUser, match, type Agent } from './helpers/http.js';
import { suiteCleanup } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { composer, screenshot, sendWithEnter, withChromium } from './browser/harness.js';
import { DESKTOP_1280, PHONE_390, seriousViolations, toDocs } from './browser/moments.js';
import { connected, openScene, pairInBrowsers, signedInPerson, type Scene } from './browser/scene.js';

const enc = encodeURIComponent;

withChromium('the chat page at the moments that matter: reading', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  /** Tom (mentor) and Mia (mentee), matched, with `count` messages from Mia that Tom has not read. */
  async function unreadPair(count: number): Promise<{ mentorAgent: Agent; menteeAgent: Agent }> {
    const mentorAgent = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const menteeAgent = await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' });
    await match(scene.admin, mentorAgent, menteeAgent);
    const store = scene.server.tandem.store;
    const mentee = (await store.accounts.byEmail(menteeAgent.email))!;
    const found = (await store.matches.activePairWith(mentee, mentorAgent.email))!;
    for (let i = 1; i <= count; i++) await store.messages.append({ pairId: found.pair.id, senderId: mentee.id, content: `Line ${i} of my week` });
    return { mentorAgent, menteeAgent };
  }

  const unreadOf = async (agent: Agent) =>
    ((await agent.get('/api/chat/conversations')).body.conversations as Array<{ unread_count: number }>)[0]!.unread_count;

  for (const [size, viewport] of [
    ['phone', PHONE_390],
    ['desktop', DESKTOP_1280],
  ] as const) {
    it(`opens at the unread divider and reads only what was shown (${size})`, async (t) => {
      const { mentorAgent, menteeAgent } = await unreadPair(24);
      // Mia's own connection hears when Tom reads her messages.
      const mia = await connectChat(scene.server.ws, mentorAgent.email, menteeAgent.cookie);
      t.after(() => mia.close());
      const mentor = await signedInPerson(t, scene, mentorAgent, viewport);
      await connected(mentor);
      const divider = mentor.page.locator('#unread-divider', { hasText: '24 unread messages' });
      await divider.waitFor();
      const log = (await mentor.page.locator('#messages').boundingBox())!;
      const at = (await divider.boundingBox())!;
      assert.ok(at.y >= log.y && at.y + at.height <= log.y + log.height, 'the divider is in view');
      await mentor.page.locator('#jump-new', { hasText: 'New messages ↓' }).waitFor();
      assert.equal(await unreadOf(mentorAgent), 24, 'nothing read that was not shown');
      assert.deepEqual(await seriousViolations(mentor.page), [], 'axe: the unread divider and the button');
      const shot = await screenshot(mentor.page, `chat-unread-${size}`);
      if (size === 'desktop') toDocs(shot, 'chat-unread.png');
      await mentor.page.locator('#jump-new').click();
      await mentor.page.locator('#jump-new').waitFor({ state: 'hidden' });
      await mentor.page.locator(`.partner[data-partner] .unread[data-count="0"]`).waitFor({ state: 'attached' });
      await mia.until((frame) => frame.type === 'read_receipt');
      assert.equal(await unreadOf(mentorAgent), 0, 'read once the newest message was shown');
    });
  }

  it('separates days, groups a sender, and makes links tappable without running their text', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene, { mentee: PHONE_390, mentor: DESKTOP_1280 });
    await sendWithEnter(mentee.page, 'Look at https://example.org/robots?id=7.');
    await sendWithEnter(mentee.page, '<img src=x onerror="document.title=1"> and <b>bold</b>');
    const linked = mentor.page.locator('#message-list a[href="https://example.org/robots?id=7"]');
    await linked.waitFor();
    assert.deepEqual(
      [await linked.getAttribute('target'), await linked.getAttribute('rel'), await linked.textContent()],
      ['_blank', 'noopener noreferrer', 'https://example.org/robots?id=7'],
    );
    await mentor.page.locator('#message-list li', { hasText: '<b>bold</b>' }).waitFor();
    assert.equal(await mentor.page.locator('#message-list img, #message-list b').count(), 0, 'message text is never HTML');
    assert.deepEqual(await mentor.page.locator('#message-list .day-separator').allTextContents(), ['Today']);
    assert.equal(await mentor.page.locator('#message-list li.message.grouped').count(), 1, "Mia's second message sits under her first");
    assert.match(await mentor.page.locator('#message-list li.message time').first().innerText(), /^\d\d:\d\d$/);
  });

  it('starts at the heading, moves through messages with arrows, names each action, and announces other conversations', async (t) => {
    const { mentor, mentee, mentorAgent } = await pairInBrowsers(t, scene, { mentor: DESKTOP_1280 });
    await mentor.page.waitForFunction("document.activeElement?.id === 'partners-title'");
    for (const text of ['First from Mia', 'Second from Mia']) await sendWithEnter(mentee.page, text);
    await mentor.page.locator('#message-list li', { hasText: 'Second from Mia' }).waitFor();
    assert.equal(await mentor.page.locator('#messages button:not([tabindex="-1"]):visible').count(), 0, 'messages are not a row of Tab stops');
    await mentor.page.locator('#messages').focus();
    await mentor.page.keyboard.press('ArrowUp');
    await mentor.page.locator('#message-list li.message:focus', { hasText: 'Second from Mia' }).waitFor();
    await mentor.page.keyboard.press('ArrowUp');
    await mentor.page.locator('#message-list li.message:focus', { hasText: 'First from Mia' }).waitFor();
    await mentor.page.keyboard.press('Enter');
    const item = mentor.page.getByRole('menuitem', { name: /^Report message from Mia Lee, \d\d:\d\d$/ });
    await item.waitFor();
    assert.deepEqual(await seriousViolations(mentor.page), [], 'axe: an open action menu');
    await mentor.page.waitForFunction("document.activeElement?.getAttribute('role') === 'menuitem'");
    await mentor.page.keyboard.press('Escape');
    await item.waitFor({ state: 'detached' });
    await mentor.page.waitForFunction("document.activeElement?.getAttribute('aria-label')?.startsWith('Actions for message from Mia Lee') ?? false");

    // A second mentee writes while Tom reads Mia's conversation: a polite announcement.
    const other = await createUser(scene.admin, { role: 'MENTEE', first: 'Ana', last: 'Diaz' });
    await match(scene.admin, mentorAgent, other);
    await mentor.page.locator(`.partner[data-partner="${other.email}"]`).waitFor();
    const socket = await connectChat(scene.server.ws, mentorAgent.email, other.cookie);
    t.after(() => socket.close());
    socket.send({ type: 'chat_message', content: 'Hello Tom!' });
    await socket.until((frame) => frame.type === 'chat_message');
    const announced = mentor.page.locator('#elsewhere[aria-live="polite"]', { hasText: 'New message from Ana Diaz' });
    await announced.waitFor({ state: 'attached' });
    assert.equal(await mentor.page.locator('#conversation-title').innerText(), 'Mia Lee', 'the open conversation stays');
  });

  it('names past days "Yesterday" and "Mon 7 Dec"-style in the separators', async (t) => {
    const { mentor, mentee } = await pairInBrowsers(t, scene, { mentor: DESKTOP_1280 });
    await sendWithEnter(mentee.page, 'Written on the first day');
    await mentor.page.locator('#message-list li', { hasText: 'first day' }).waitFor();
    const written = new Date();
    // The reader's clock moves on a day, then four: the same message is from "Yesterday", then from a named day.
    await mentor.page.clock.install({ time: written.getTime() + 86_400_000 });
    await mentor.page.reload();
    await mentor.page.locator('#message-list .day-separator', { hasText: /^Yesterday$/ }).waitFor();
    await mentor.page.clock.install({ time: written.getTime() + 4 * 86_400_000 });
    await mentor.page.reload();
    const named = written.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).replace(',', '');
    await mentor.page.locator('#message-list .day-separator', { hasText: named }).waitFor();
    assert.match(named, /^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}$/);
  });

  it('coming back to the page opens no conversation by itself and reads nothing', async (t) => {
    const mentorAgent = await createUser(scene.admin, { role: 'MENTOR', first: 'Tom', last: 'Ng' });
    const [first, second] = [
      await createUser(scene.admin, { role: 'MENTEE', first: 'Ana', last: 'Diaz' }),
      await createUser(scene.admin, { role: 'MENTEE', first: 'Mia', last: 'Lee' }),
    ];
    await match(scene.admin, mentorAgent, first);
    await match(scene.admin, mentorAgent, second);
    const mentor = await signedInPerson(t, scene, mentorAgent, PHONE_390);
    await mentor.page.locator('#chat-view[data-pane="list"]').waitFor();
    await mentor.page.locator(`.partner[data-partner="${second.email}"]`).waitFor();
    assert.equal((await scene.admin.delete(`/api/matches/${enc(first.email)}`)).status, 204);
    await mentor.page.locator(`.partner[data-partner="${first.email}"]`, { hasText: 'Match ended' }).waitFor();
    const mia = await connectChat(scene.server.ws, mentorAgent.email, second.cookie);
    t.after(() => mia.close());
    mia.send({ type: 'chat_message', content: 'Are you there?' });
    await mia.until((frame) => frame.type === 'chat_message');
    await mentor.page.locator(`.partner[data-partner="${second.email}"] .unread[data-count="1"]`).waitFor();
    const listed = mentor.page.waitForResponse((response) => response.url().includes('/api/chat/conversations'));
    await mentor.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await listed;
    await mentor.page.locator(`.partner[data-partner="${second.email}"] .unread[data-count="1"]`).waitFor();
    assert.equal(await mentor.page.locator('#chat-view').getAttribute('data-pane'), 'list', 'the list stays');
    const rows = (await mentorAgent.get('/api/chat/conversations')).body.conversations as Array<{ partner: { email: string }; unread_count: number }>;
    assert.equal(rows.find((row) => row.partner.email === second.email)?.unread_count, 1, 'nothing read');
  });

  it('keeps the composer wide with the counter showing, and tells a paused mentee what she can do (phone)', async (t) => {
    const { mentee, menteeAgent } = await pairInBrowsers(t, scene, { mentee: PHONE_390 });
    const box = composer(mentee.page);
    const before = (await box.boundingBox())!.width;
    await box.fill('a'.repeat(4700));
    await mentee.page.locator('#composer-count', { hasText: '4700 / 5000' }).waitFor();
    const after = (await box.boundingBox())!.width;
    assert.ok(after >= before - 1, `the counter does not squeeze the composer (${before} → ${after})`);
    await screenshot(mentee.page, 'chat-counter-phone');
    await box.fill('');
    assert.equal((await scene.admin.post(`/api/matches/${enc(menteeAgent.email)}/pause`)).status, 200);
    const banner = mentee.page.locator('#banner[data-kind="paused"]');
    await banner.waitFor();
    assert.match(
      await banner.innerText(),
      /You can still read it and report a message\. Sending comes back when it is resumed; your coordinator can tell you more\./,
    );
    await screenshot(mentee.page, 'chat-paused-phone');
  });
});
