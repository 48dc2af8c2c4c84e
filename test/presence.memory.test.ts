/** The PresenceRegistry contract against the in-process memory registry (one instance, no backend). */
import { MemoryPresence } from '../src/presence/memory.js';
import { presenceContract } from './contract/presence.js';

presenceContract('MemoryPresence', async () => {
  const presence = new MemoryPresence();
  return [presence, () => presence.close()];
});
