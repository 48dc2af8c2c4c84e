/** The ChannelLayer contract against the in-process memory layer (one instance, no backend). */
import { MemoryLayer } from '../src/layer/memory.js';
import { layerContract } from './contract/layer.js';

layerContract('MemoryLayer', async () => {
  const layer = new MemoryLayer();
  return [layer, () => layer.close()];
});
