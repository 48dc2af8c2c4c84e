/** The channel layer: its contract is in types.ts; this file opens the engine the configuration names. */
import type { LayerConfig } from '../config.js';
import type { ChannelLayer } from './types.js';

export type { ChannelLayer, Unsubscribe } from './types.js';

/** Opens the layer the configuration names. */
export async function openLayer(config: LayerConfig): Promise<ChannelLayer> {
  switch (config.kind) {
    case 'memory': {
      const { MemoryLayer } = await import('./memory.js');
      return new MemoryLayer();
    }
    case 'redis': {
      const { RedisLayer } = await import('./redis.js');
      return RedisLayer.open(config);
    }
  }
}
