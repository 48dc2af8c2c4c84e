/** The settings of Part 8's conversation features: edit, delete, reactions (see config-table.ts). */
import type { Setting } from './config-types.js';

const CONVERSATION = 'Conversation';

/** The reactions published when `REACTIONS` is unset. */
export const DEFAULT_REACTIONS = '👍,❤️,😂,😮,😢,🙏,🎉,✅';

export const CONVERSATION_SETTINGS = [
  {
    name: 'EDIT_WINDOW_SECONDS',
    type: 'integer',
    unit: 'seconds',
    area: CONVERSATION,
    default: '900',
    min: 0,
    max: 31_536_000,
    meaning: 'how long after sending a participant may edit their message (`0`: never)',
  },
  {
    name: 'DELETED_RETENTION_DAYS',
    type: 'integer',
    unit: 'days',
    area: CONVERSATION,
    default: '30',
    min: 0,
    max: 999_999,
    meaning: "how long a deleted message's text (and its earlier versions) is kept for admins' safeguarding review, then erased hourly; `0`: erased at once",
  },
  {
    name: 'REACTIONS',
    type: 'string',
    area: CONVERSATION,
    default: DEFAULT_REACTIONS,
    allowed: 'a comma-separated list of 1 to 20 emoji, each at most 16 characters',
    meaning: 'the reactions participants may put on a message, published at `GET /api/chat/reactions`',
  },
] as const satisfies readonly Setting[];
