/**
 * What the chat page tells participants about safeguarding, in words a teenager understands:
 * why a message of theirs is held and what happens next, and what coordinators can see.
 */
import type { MeResponse } from '../../src/client/index.js';

/** Why the filter held a message, by its rule ("it has contact details", …). */
function heldBecause(rule: string): string {
  switch (rule) {
    case 'email':
    case 'phone':
    case 'handle':
    case 'address':
      return 'it looks like it has contact details (an email, a phone number, a username or an address)';
    case 'off_platform':
      return 'it looks like it asks to talk somewhere else than Tandem';
    case 'link':
      return 'it has a link';
    case 'word':
      return 'it has a word your programme checks';
    case 'attachment':
      return 'it has a file or a photo';
    default:
      return 'something in it needs a check';
  }
}

/** The explanation under a held message: why, who looks at it, and that the partner cannot see it yet. */
export function heldExplanation(rule: string, partnerFirstName: string): string {
  return `Held because ${heldBecause(rule)}. A coordinator from your programme will look at it. ${partnerFirstName} can't see it until they approve it.`;
}

/** The line at the start of every conversation under `oversight` and `moderated`; null under `private`. */
export function policyNotice(policy: MeResponse['conversation_policy']): string | null {
  switch (policy) {
    case 'oversight':
      return 'Your programme’s coordinators can read this conversation to keep everyone safe. You’ll see a note here each time one does.';
    case 'moderated':
      return 'Your programme’s coordinators can read this conversation to keep everyone safe. Messages with contact details, links or some words wait for a coordinator to check them first.';
    default:
      return null;
  }
}
