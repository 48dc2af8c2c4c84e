/** The programme's settings: when a pair counts as at risk, how often each instance looks, and whom participants call for help (see config-table.ts). */
import type { Setting } from './config-types.js';

const PROGRAMME = 'Programme';

export const PROGRAMME_SETTINGS = [
  {
    name: 'AT_RISK_SILENT_DAYS',
    type: 'integer',
    unit: 'days',
    area: PROGRAMME,
    default: '14',
    min: 1,
    max: 365,
    meaning: 'a pair with no message for this long is at risk (`silent`), counted from the match for a pair that never wrote',
  },
  {
    name: 'AT_RISK_UNANSWERED_HOURS',
    type: 'integer',
    unit: 'hours',
    area: PROGRAMME,
    default: '72',
    min: 1,
    max: 8760,
    meaning: "a mentee's message the mentor has not answered for this long puts the pair at risk (`unanswered`)",
  },
  {
    name: 'AT_RISK_CHECK_MINUTES',
    type: 'integer',
    unit: 'minutes',
    area: PROGRAMME,
    default: '15',
    min: 1,
    max: 1440,
    meaning: 'how often each instance looks for pairs entering or leaving the at-risk state, and sends `pair.at_risk` / `pair.recovered` for each change once',
  },
  {
    name: 'SAFEGUARDING_CONTACT',
    type: 'string',
    area: PROGRAMME,
    default: null,
    unset: 'no "Get help now" contact on the chat page',
    allowed: 'plain text, at most 300 characters (for example "Call Sam Reed, safeguarding lead: 020 7946 0000")',
    meaning: 'who a participant can reach at once when something worries them: shown by "Get help now" on the chat page (`GET /api/me`)',
  },
] as const satisfies readonly Setting[];
