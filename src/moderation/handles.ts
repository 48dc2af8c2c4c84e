/**
 * Moves off the platform: a handle (`@jane_d09`, a Discord tag `jane#1234`), a platform named
 * next to a handle ("add me on snap: jane_d", "my insta is janed_2009"), or an invitation to
 * move there ("can we move to WhatsApp?", "are you on tiktok", "snap me"). A platform named
 * in passing ("a funny video on TikTok") passes. Works on the folded skeleton; pure.
 */

export type HandleRule = 'handle' | 'off_platform';

/** Platforms people move a conversation to, by every name they are called, as folded words. */
export const PLATFORM_NAMES = [
  'snapchat',
  'snap',
  'instagram',
  'insta',
  'ig',
  'gram',
  'tiktok',
  'tik tok',
  'discord',
  'whatsapp',
  'whats app',
  'watsapp',
  'telegram',
  'signal',
  'kik',
  'facebook',
  'fb',
  'messenger',
  'twitter',
  'x',
  'skype',
  'wechat',
  'viber',
  'imessage',
  'facetime',
  'omegle',
  'bereal',
  'threads',
  'roblox',
  'fortnite',
  'xbox',
  'psn',
  'playstation',
  'steam',
  'twitch',
  'email',
  'text',
  'phone',
  'number',
  'mobile',
  'cell',
];
/** The contact channels among those: named with an invitation they are a move, but they have no handles. */
const CHANNELS = new Set(['email', 'text', 'phone', 'number', 'mobile', 'cell']);
/**
 * Names that are also everyday words, and games people talk about: held only with an
 * unmistakable invitation ("snap me", "add me on xbox", "what's your number").
 */
const AMBIGUOUS = new Set(['snap', 'signal', 'x', 'gram', 'threads', 'steam', 'roblox', 'fortnite', 'xbox', 'psn', 'playstation', 'twitch', ...CHANNELS]);
/** Ambiguous names that are still a request when asked for as "your …". */
const ASKED_FOR = new Set(['snap', 'signal', 'gram', 'number', 'phone', 'mobile', 'cell', 'email']);
const ONE_WORD = new Set(PLATFORM_NAMES.filter((name) => !name.includes(' ')));
const TWO_WORDS = new Map(PLATFORM_NAMES.filter((name) => name.includes(' ')).map((name) => [name.split(' ')[0]!, name.split(' ')[1]!]));

/** Words that invite a move when they come shortly before a platform's name. */
const INVITES = new Set([
  'move',
  'moving',
  'switch',
  'go',
  'talk',
  'chat',
  'text',
  'message',
  'msg',
  'dm',
  'pm',
  'add',
  'follow',
  'call',
  'ring',
  'facetime',
  'find',
  'contact',
  'reach',
  'hmu',
  'join',
  'friend',
  'meet',
  'continue',
  'carry',
  'use',
  'have',
  'got',
  'get',
  'u',
  'you',
  'ur',
  'your',
  'my',
  'whats',
  'what',
]);
/** Words after a platform's name that make it a request ("snap me", "insta?"). */
const INVITES_AFTER = new Set(['me', 'instead', 'later', 'tonight', 'name', 'username', 'user', 'handle', 'id', 'tag', 'account', 'acc', 'addy']);

const HANDLE = /(?<![\p{L}\p{N}_.])@[a-z0-9_.]{2,30}/u;
const DISCORD_TAG = /(?<![\p{L}\p{N}_.])[a-z0-9_.]{2,32}#\d{4}(?!\d)/u;
const WORD = /[a-z0-9_.@#]+|:/g;
/** Whether a platform or channel is named at all (a cheap look before the words are read one by one). */
const ANY_PLATFORM =
  /\b(?:snap(?:chat)?|insta(?:gram)?|ig|gram|tik ?tok|discord|whats ?app|watsapp|telegram|signal|kik|facebook|fb|messenger|twitter|x|skype|wechat|viber|imessage|facetime|omegle|bereal|threads|roblox|fortnite|xbox|psn|playstation|steam|twitch|email|text|phone|number|mobile|cell)\b/;

/** The first move off the platform in `folded` (lower-cased skeleton), or null. */
export function findHandle(folded: string): { rule: HandleRule; text: string } | null {
  const tag = DISCORD_TAG.exec(folded) ?? HANDLE.exec(folded);
  if (tag) return { rule: 'handle', text: tag[0] };
  if (!ANY_PLATFORM.test(folded)) return null;
  const tokens = folded.match(WORD) ?? [];
  for (let i = 0; i < tokens.length; i += 1) {
    const name = platformAt(tokens, i);
    if (name === null) continue;
    const after = i + name.split(' ').length;
    const next = tokens[after];
    const handleNext = next === ':' ? tokens[after + 1] : next;
    const channel = CHANNELS.has(name);
    if (!channel && handleNext !== undefined && (next === ':' || looksLikeHandle(handleNext)) && !ONE_WORD.has(handleNext)) {
      return { rule: 'handle', text: `${name} ${handleNext}` };
    }
    if (!channel && next === 'is' && tokens[after + 1] !== undefined && looksLikeHandle(tokens[after + 1]!)) {
      return { rule: 'handle', text: `${name} is ${tokens[after + 1]}` };
    }
    const invited = tokens.slice(Math.max(0, i - 4), i).some((word) => INVITES.has(word)) || (next !== undefined && INVITES_AFTER.has(next));
    if (invited && (!AMBIGUOUS.has(name) || inviteNear(tokens, i))) {
      return { rule: 'off_platform', text: tokens.slice(Math.max(0, i - 4), after + 1).join(' ') };
    }
  }
  return null;
}

/** The platform named at token `i` (one or two words), or null. */
function platformAt(tokens: readonly string[], i: number): string | null {
  const word = tokens[i]!;
  const second = TWO_WORDS.get(word);
  if (second !== undefined && tokens[i + 1] === second) return `${word} ${second}`;
  return ONE_WORD.has(word) ? word : null;
}

/** A handle: letters with digits, underscores or dots in it, or after an `@`. */
function looksLikeHandle(word: string): boolean {
  return word.length >= 3 && word.length <= 32 && /[a-z]/.test(word) && /[\d_.]/.test(word.replace(/\.$/, ''));
}

const SHARE = new Set(['give', 'send', 'share', 'swap', 'exchange', 'trade']);
const EXPLICIT = new Set(['add', 'move', 'switch', 'dm', 'message', 'hmu', 'follow', 'join', 'friend', 'play']);

/**
 * For names that are everyday words ("snap", "text", "my phone"): the invitation must be close
 * and unmistakable — "snap me", "text me", "what's your number", "add me on xbox".
 */
function inviteNear(tokens: readonly string[], i: number): boolean {
  const name = tokens[i]!;
  const before = tokens.slice(Math.max(0, i - 3), i);
  const next = tokens[i + 1];
  if (next === 'me' || next === 'instead') return true;
  if ((before.includes('your') || before.includes('ur')) && ASKED_FOR.has(name)) return true;
  if (CHANNELS.has(name)) return before.some((word) => SHARE.has(word));
  return before.some((word) => EXPLICIT.has(word)) && ['on', 'to', 'via', 'me'].some((word) => before.includes(word));
}
