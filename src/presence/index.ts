/** Presence: the registry's contract is in types.ts; this file opens the engine the configuration names. */
import type { LayerConfig } from '../config.js';
import type { PresenceRegistry } from './types.js';

export type { PresenceRegistry } from './types.js';

/** Opens the registry that matches the channel layer: memory alone, Redis for many instances. */
export async function openPresence(config: LayerConfig): Promise<PresenceRegistry> {
  switch (config.kind) {
    case 'memory': {
      const { MemoryPresence } = await import('./memory.js');
      return new MemoryPresence();
    }
    case 'redis': {
      const { RedisPresence } = await import('./redis.js');
      return RedisPresence.open(config);
    }
  }
}
