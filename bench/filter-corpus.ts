/**
 * The filter's corpus: disguised attempts to move a young person off the platform or learn
 * where they live, by category, and ordinary mentoring messages rich in numbers. Built the
 * same way every time from the tables below (no randomness), so a figure is repeatable.
 * `test/moderation.corpus.test.ts` asserts recall and false positives on it; `npm run bench`
 * reports them with the filter's cost per message.
 */

/** One attempt: the messages a sender sends, in order; the last one must be held. */
export interface Attempt {
  category: string;
  messages: string[];
}

const NUMBERS = ['07911 123456', '07700 900123', '+44 7911 123456', '202 555 0143', '98765 43210', '0151 23456789'];
const LEADS = ['call me on', 'my number is', 'text me', 'ring', 'whatsapp'];

/** The digits of `text` written in the script whose zero is `zero`. */
const inScript = (text: string, zero: number) => text.replace(/\d/g, (digit) => String.fromCodePoint(zero + Number(digit)));
const SCRIPTS: Array<[string, number]> = [
  ['full-width', 0xff10],
  ['Arabic-Indic', 0x0660],
  ['Persian', 0x06f0],
  ['Devanagari', 0x0966],
  ['Bengali', 0x09e6],
  ['mathematical bold', 0x1d7ce],
];

const WORD_DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const spelt = (digits: string, oh = false) => [...digits.replace(/\D/g, '')].map((d) => (d === '0' && oh ? 'oh' : WORD_DIGITS[Number(d)])).join(' ');

const EMAILS = ['jane.doe09@gmail.com', 'sam_k@hotmail.co.uk', 'mia2010@outlook.com', 'leo.b@yahoo.com', 'ava.j@icloud.com'];
const CYRILLIC: Record<string, string> = { a: 'а', e: 'е', o: 'о', c: 'с', p: 'р', x: 'х', y: 'у', i: 'і', j: 'ј', s: 'ѕ' };
const lookAlike = (text: string) => text.replace(/[aeocpxyijs]/g, (char) => CYRILLIC[char]!);

function disguisedDigits(): Attempt[] {
  const attempts: Attempt[] = [];
  for (const [index, [name, zero]] of SCRIPTS.entries()) {
    for (const [k, number] of NUMBERS.entries()) {
      attempts.push({ category: `digits in ${name}`, messages: [`${LEADS[(index + k) % LEADS.length]} ${inScript(number, zero)}`] });
    }
  }
  return attempts;
}

function speltNumbers(): Attempt[] {
  const attempts: Attempt[] = [];
  for (const number of NUMBERS) {
    attempts.push({ category: 'spelt out', messages: [`my number is ${spelt(number, true)}`] });
    attempts.push({ category: 'spelt out', messages: [`call ${spelt(number)}`] });
    const digits = number.replace(/\D/g, '');
    attempts.push({ category: 'half in words', messages: [`text ${digits.slice(0, 5)} ${spelt(digits.slice(5))}`] });
    attempts.push({ category: 'half in words', messages: [`${spelt(digits.slice(0, 5), true)} ${digits.slice(5)} is me`] });
  }
  attempts.push({ category: 'spelt out', messages: ['oh seven nine double one, one two three four five six'] });
  attempts.push({ category: 'spelt out', messages: ['zero seven seven triple oh nine one two three'] });
  return attempts;
}

function hiddenInEmails(): Attempt[] {
  const attempts: Attempt[] = [];
  for (const email of EMAILS) {
    const [local, domain] = email.split('@') as [string, string];
    attempts.push({ category: 'zero-width space', messages: [`email me at ${local}\u200b@\u200b${domain}`] });
    attempts.push({ category: 'soft hyphen', messages: [`${local.slice(0, 2)}\u00ad${local.slice(2)}@${domain.replace('.', '\u00ad.')}`] });
    attempts.push({ category: 'zero-width joiner', messages: [`it's ${local}@${domain.slice(0, 3)}\u200d${domain.slice(3)}`] });
    attempts.push({ category: 'bidi override', messages: [`\u202e${[...email].reverse().join('')}\u202c is my email`] });
    attempts.push({ category: 'look-alike letters', messages: [`write to ${lookAlike(email)}`] });
    attempts.push({ category: 'spelt email', messages: [`${local} at ${domain.replace(/\./g, ' dot ')}`] });
  }
  return attempts;
}

const HANDLES = ['jane_d09', 'sam.k2010', 'mia_xx_', 'leo.b.07', 'ava_jay'];
const PLATFORM_HANDLE_FORMS = [
  (h: string) => `add me on snap: ${h}`,
  (h: string) => `my insta is @${h}`,
  (h: string) => `snapchat ${h}`,
  (h: string) => `tiktok - ${h}`,
  (h: string) => `discord ${h.replace(/[._]/g, '')}#${h.length}0${h.length}2`,
  (h: string) => `ig: ${h}`,
  (h: string) => `find me on instagram ${h}`,
];

function handles(): Attempt[] {
  const attempts: Attempt[] = [];
  for (const handle of HANDLES) {
    for (const form of PLATFORM_HANDLE_FORMS) attempts.push({ category: 'handle', messages: [form(handle)] });
  }
  attempts.push({ category: 'handle', messages: [`${lookAlike('snapchat')}: jane_d09`] });
  return attempts;
}

const INVITATIONS = [
  'can we move to WhatsApp?',
  'are you on tiktok',
  'do you have insta?',
  "let's talk on discord instead",
  'snap me later',
  'text me tonight',
  "what's your number",
  'hmu on telegram',
  'do u have snapchat',
  'can we chat on whatsapp instead',
  'message me on facebook',
  "let's switch to kik",
  'add me on xbox',
  'are you on Discord?',
  'got snap?',
  'whats ur snap',
  'can you dm me on insta',
  'we should move this to telegram',
  'do you use signal? add me on signal',
  'facetime me later',
  'send me your number',
  'give me your phone number',
  'email me tonight',
  'is your insta private?',
  "what's your tiktok",
  'can I add you on Facebook',
  'join me on roblox, add me on roblox',
  'talk on whats app?',
  'do you have WeChat',
  'are you on BeReal',
];

const SECRETS = [
  'this is our little secret',
  "don't tell your parents ok",
  'dont tell your mum about this',
  'keep this between us',
  'are you home alone?',
  'send me a pic',
  'what are you wearing',
  'delete this message after',
  "let's meet up alone",
  'are your parents home',
  'where do you live',
  'send me a selfie',
  'just the two of us',
  'nobody needs to know',
  'turn your camera on',
  'come alone',
  'what school do you go to',
  'we could meet in person',
  'our secret ok?',
  'can we talk somewhere more private',
  'ＤＯＮ’Ｔ ＴＥＬＬ ＡＮＹＯＮＥ',
  'sеnd mе а рiс',
  'dont\u200b tell your dad',
];

const ADDRESSES = [
  'I live at 12 Oak Road, Leeds LS6 2AB',
  'my postcode is M1 1AE',
  'come to SW1A 1AA',
  'its B15 2TT',
  '221b Baker Street',
  'we are at 14 Elm Avenue',
  '123 Main Street, Springfield, IL 62704',
  'I am at 45 Park Lane',
  'my address is 7 Rose Crescent',
  'EH1 1YZ is where i live',
  'number 3 Church Lane',
  'go to 10 Downing Street',
  'Hauptstrasse 5 in Berlin',
  '88 Queens Drive',
  'ＣＦ10 1AA',
  'my house is 9 Mill Lane, near the park',
];

const SPLIT: string[][] = [
  ['my number is 07911', '123456'],
  ['07911', '123', '456'],
  ['call me 0791', '1123456'],
  ['+44', '7911 123456'],
  ['oh seven nine one one', 'one two three four five six'],
  ['jane.doe09', '@gmail.com'],
  ['my email is jane.doe09@', 'gmail.com'],
  ['I live at 12', 'Oak Road'],
  ['postcode LS6', '2AB'],
  ['202 555', '0143'],
  ['98765', '43210'],
  ['text 07700', '900123 ok?'],
  ['my snap is', 'jane_d09'],
  ['add me on', 'snapchat'],
  ['0151', '2345 6789'],
];

const MANGLED = [
  '0 7 9 1 1 1 2 3 4 5 6',
  '07911-12-34-56',
  '(0)7911 123 456',
  '+44 (0) 7911.123.456',
  '0-7-9-1-1-1-2-3-4-5-6',
  '079 11 12 34 56',
  '+4479111 23456',
  '0 7 7 0 0 9 0 0 1 2 3',
  '(202)5550143',
  '7911.123.456 with a 0 first',
  '0 79 11 12 34 56',
  '07911 / 123456',
  '+1-202-555-0143',
  '0044 7911 123 456',
  '00 44 79 11 12 34 56',
];

/** Every disguised attempt, by category. */
export function disguisedAttempts(): Attempt[] {
  return [
    ...disguisedDigits(),
    ...speltNumbers(),
    ...hiddenInEmails(),
    ...handles(),
    ...INVITATIONS.map((text) => ({ category: 'invitation to move', messages: [text] })),
    ...SECRETS.map((text) => ({ category: 'secrecy, meeting, photos', messages: [text] })),
    ...ADDRESSES.map((text) => ({ category: 'address', messages: [text] })),
    ...SPLIT.map((messages) => ({ category: 'split over messages', messages })),
    ...MANGLED.map((text) => ({ category: 'mangled number', messages: [text] })),
  ];
}

const TIMES = ['9:30', '10am', '4.30pm', '16:00', 'half 3', '7:45 tomorrow', 'noon'];
const DATES = ['12/05/2025', '2025-05-12', '12 May 2025', 'May 12th', '3rd of June', '1/6/25', 'Monday 14th'];
const PRICES = ['£12.99', '$1,250.00', '€3.50', '£0.99', '£150', '$19.95 a month', '£1,000,000'];
const GRADES = ['a 7', 'an A*', '85%', '6/9', 'a B+', '72 out of 80', 'grade 8'];
const RANGES = ['pages 12-45', 'chapters 3 to 5', 'questions 1-10', 'pages 101–156', 'exercises 4.1 to 4.9', 'slides 20-35', 'p. 233-240'];
const PLACES = ['room 101', 'room B12', 'block C, room 3.14', 'lab 2', 'the 3rd floor', 'seat 14F', 'platform 9'];
const VERSIONS = ['version 2.0.1', 'python 3.12.1', 'macOS 14.4.1', 'node 20.20.2', 'v10.15.7', 'iOS 17.5', 'Windows 11 23H2'];
const DISTANCES = ['5 km', '3 miles', '400m', '10,000 steps', '26.2 miles', '1.5 km', '12 laps'];
const BOOKS = ['1984', 'Fahrenheit 451', 'Catch-22', '20,000 Leagues Under the Sea', 'The 39 Steps', 'Room 13', 'A Tale of Two Cities'];
const SCORES = ['3-2', '21-18', '2 nil', '4–1', '1-1', '98-87', '6-4 6-3'];
const YEARS = ['2009', '1999 to 2024', '2019-2020', 'the 1960s', '2030', 'year 10', 'Y11'];
const MISC = [
  'ISBN 978-0-306-40615-7',
  '192.168.1.254',
  'about 67,000,000 people',
  '3.14159265',
  '1 in 1000',
  'top 5',
  '24/7',
  'the 9:15 bus, number 42',
  'a 10 minute walk down the road',
  'walked 5 miles down the road',
  'my locker is 1123',
  'the code is 4 digits',
  'snapped my pencil',
  'the signal was bad',
  'I have a text to read for English',
  'I saw a video on tiktok about volcanoes',
  'my phone died',
  'what number was that question?',
];

const TEMPLATES: Array<(a: number, b: number) => string> = [
  (a, b) => `Can we meet at ${TIMES[a % 7]} on ${DATES[(b + 3) % 7]}?`,
  (a, b) => `My exam is on ${DATES[a % 7]} at ${TIMES[(b + 2) % 7]}`,
  (a, b) => `I got ${GRADES[a % 7]} in maths and ${GRADES[(b + 4) % 7]} in physics!`,
  (a, b) => `The revision guide costs ${PRICES[a % 7]}, is that worth it?`,
  (a, b) => `For homework read ${RANGES[a % 7]} of ${BOOKS[(b + 1) % 7]}`,
  (a, b) => `The club is in ${PLACES[a % 7]} from ${TIMES[(b + 5) % 7]}`,
  (a, b) => `I updated to ${VERSIONS[a % 7]} and now the app works`,
  (a, b) => `I ran ${DISTANCES[a % 7]} this weekend, ${DISTANCES[(b + 2) % 7]} next time`,
  (a, b) => `We won ${SCORES[a % 7]} on ${DATES[(b + 1) % 7]}`,
  (a, b) => `I was born in ${YEARS[a % 7]}, my brother in ${YEARS[(b + 3) % 7]}`,
  (a, b) => `Have you read ${BOOKS[a % 7]}? I'm on ${RANGES[(b + 2) % 7]}`,
  (a, b) => `Interesting fact: ${MISC[a % MISC.length]}`,
  (a, b) => `${MISC[(b + 7) % MISC.length]} - anyway how was your week?`,
  (a, b) => `The deadline is ${DATES[(b + 4) % 7]}, I have ${(a % 9) + 2} essays left`,
  (a, b) => `Our session moved to ${TIMES[(b + 1) % 7]}, ${PLACES[(b + 3) % 7]}`,
];

const PLAIN = [
  'Hi! How was school today?',
  'I finished my personal statement draft',
  'Thanks so much for the advice yesterday',
  'I am a bit nervous about the interview',
  'What did you study at university?',
  'Good luck with your mocks!',
  'Can you look at my CV when you have time?',
  'I think I want to do engineering',
  'That makes sense, thank you',
  'See you next week',
  'I had football practice so I was late',
  'My teacher said my essay was good',
  'How do I prepare for a group interview?',
  'I will try that tonight',
  'Sorry I missed the session',
  'What should I put in my cover letter?',
  'I read the article you sent',
  'The open day was really useful',
  'I am thinking about an apprenticeship',
  'Do you think I should take further maths?',
];

/** Ordinary messages of a mentoring programme, rich in numbers: the filter must let them pass. */
export function ordinaryMessages(): string[] {
  const messages = new Set<string>(PLAIN);
  for (let a = 0; a < 7; a += 1) {
    for (let b = 0; b < 7; b += 1) for (const template of TEMPLATES) messages.add(template(a, b));
  }
  return [...messages];
}

/** What a filter makes of the corpus. */
export interface CorpusResult {
  attempts: number;
  held: number;
  missed: Attempt[];
  ordinary: number;
  falsePositives: Array<{ text: string; rule: string; matched: string }>;
}

/** A filter as the corpus needs it (see src/moderation/filter.ts). */
interface Checker {
  check(content: string, sender?: { pairId: number; senderId: number }): { rule: string; text: string } | null;
}

/** Runs every attempt (each as a sender of its own, its messages in order) and every ordinary message through `filter`. */
export function runCorpus(filter: Checker): CorpusResult {
  const attempts = disguisedAttempts();
  const missed: Attempt[] = [];
  for (const [index, attempt] of attempts.entries()) {
    const sender = { pairId: index + 1, senderId: 1 };
    const verdicts = attempt.messages.map((message) => filter.check(message, sender));
    // Held at the last message at the latest: a part held earlier holds the attempt too.
    if (verdicts.every((verdict) => verdict === null)) missed.push(attempt);
  }
  const ordinary = ordinaryMessages();
  const falsePositives: CorpusResult['falsePositives'] = [];
  for (const [index, text] of ordinary.entries()) {
    // A conversation: the same sender, so that the split-message rule sees ordinary runs too.
    const verdict = filter.check(text, { pairId: 1_000_000, senderId: Math.floor(index / 5) });
    if (verdict) falsePositives.push({ text, rule: verdict.rule, matched: verdict.text });
  }
  return { attempts: attempts.length, held: attempts.length - missed.length, missed, ordinary: ordinary.length, falsePositives };
}
