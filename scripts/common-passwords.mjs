// Writes src/auth/common-passwords.txt: the passwords of at least 8 characters (shorter
// ones are refused by length anyway) among the most common passwords of zxcvbn's
// frequency list (@zxcvbn-ts/language-common, MIT), most common first, one per line,
// lower-cased and without duplicates. Run it to refresh the list; Tandem reads the file.
import { writeFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';

const MIN_LENGTH = 8;
const seen = new Set();
for (const word of dictionary['passwords-common']) {
  const lower = word.toLowerCase();
  if ([...lower].length >= MIN_LENGTH) seen.add(lower);
}
const target = new URL('../src/auth/common-passwords.txt', import.meta.url);
writeFileSync(target, [...seen].join('\n') + '\n');
console.log(`${seen.size} passwords written to ${target.pathname}`);
