/**
 * Files in the chat page, in real Chromium: a photo sent by the partner shows as a preview
 * (its bytes stripped of the GPS position before they were stored), any other file as a card
 * with its name and size; both open the file from the server.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { suiteCleanup } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { PLANTED, containsAscii, pngPicture } from './helpers/images.js';
import { screenshot, withChromium } from './browser/harness.js';
import { openScene, pairInBrowsers, type Scene } from './browser/scene.js';
import { upload } from './suites/attachments.js';

withChromium('files in the chat page (Chromium)', () => {
  let scene: Scene;
  const cleanup = suiteCleanup();
  before(async () => {
    scene = await openScene(cleanup);
  });

  it('shows an image as a preview and another file as a card, each linking to the file', async (t) => {
    const { mentor, menteeAgent, mentorAgent } = await pairInBrowsers(t, scene);
    const photo = await upload(menteeAgent, mentorAgent, pngPicture(240, 160), 'garden.png', 'image/png');
    const notes = await upload(menteeAgent, mentorAgent, Buffer.from('My reading list\n'), 'reading list.txt', 'text/plain');
    assert.deepEqual([photo.status, notes.status], [201, 201]);
    const socket = await connectChat(scene.server.ws, mentorAgent.email, menteeAgent.cookie);
    t.after(() => socket.close());
    socket.send({ type: 'chat_message', content: 'Here you go', attachments: [photo.body.attachment_id, notes.body.attachment_id] });
    await socket.expect('chat_message');

    const image = mentor.page.locator(`li.attachment.image[data-attachment-id="${photo.body.attachment_id}"] img`);
    await image.waitFor();
    await mentor.page.waitForFunction((selector) => {
      const img = (
        globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }
      ).document.querySelector(selector);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, `li.attachment.image[data-attachment-id="${photo.body.attachment_id}"] img`);
    assert.equal(await image.getAttribute('alt'), 'garden.png');
    const served = await mentor.page.evaluate(async (url) => {
      const response = await fetch(url);
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    }, `/api/attachments/${photo.body.attachment_id}`);
    assert.ok(!containsAscii(Uint8Array.from(served), PLANTED), 'the page gets the picture without its text chunk');
    const card = mentor.page.locator(`li.attachment.file[data-attachment-id="${notes.body.attachment_id}"] a`);
    assert.equal((await card.innerText()).replace(/\s+/g, ' ').trim(), 'reading list.txt 16 B');
    assert.equal(await card.getAttribute('href'), `/api/attachments/${notes.body.attachment_id}`);
    await screenshot(mentor.page, 'chat-attachments');
  });
});
