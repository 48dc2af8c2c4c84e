/** The ChannelLayer contract against the in-process memory layer (one instance, no backend). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryLayer } from '../src/layer/memory.js';
import type { ChannelEvent } from '../src/protocol/events.js';
import { chat, freshRoom, Inbox, layerContract } from './contract/layer.js';

layerContract('MemoryLayer', async () => {
  const layer = new MemoryLayer();
  return [layer, () => layer.close()];
});

it('MemoryLayer: an event cannot be modified once published, by its publisher or a handler (on Redis the change would be lost)', async (t) => {
  const layer = new MemoryLayer();
  t.after(() => layer.close());
  const room = freshRoom();
  const inbox = new Inbox<ChannelEvent>();
  await layer.subscribe(room, inbox.push);
  const event = chat(1);
  await layer.publish(room, event);
  assert.throws(() => {
    (event.message as { content: string }).content = 'changed';
  }, TypeError);
  const [received] = await inbox.until(1);
  assert.equal(received, event, 'the event itself, not a copy');
  assert.throws(() => {
    (received as { kind: string }).kind = 'typing';
  }, TypeError);
  assert.equal(event.message.content, 'message 1');
});
