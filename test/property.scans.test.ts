/**
 * The scans that replaced end-anchored regexes outside the protocol: the client's trailing
 * slashes (`withoutTrailingSlashes`) and the zone of a client address (`clientKey`). Each
 * answers what the regex answered, over generated input with long runs of what it cuts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { withoutTrailingSlashes, wsBaseOf } from '../src/client/socket.js';
import { clientKey } from '../src/http/throttle.js';
import { hostileText, whitespaceRun } from './helpers/attacker-text.js';

const slashes = whitespaceRun(500, fc.constant('/'));
const base = fc.array(fc.oneof(hostileText({ maxPieces: 4, maxRun: 20 }), slashes), { maxLength: 6 }).map((pieces) => pieces.join(''));

describe('scans instead of end-anchored regexes (property)', () => {
  it('withoutTrailingSlashes cuts exactly the slashes a base ends with', () => {
    fc.assert(
      fc.property(base, (text) => {
        const cut = withoutTrailingSlashes(text);
        assert.ok(text.startsWith(cut) && !cut.endsWith('/'));
        assert.match(text.slice(cut.length), /^\/*$/);
        assert.equal(wsBaseOf(`http://h${text}`), `ws://h${cut}`);
      }),
      { numRuns: 300 },
    );
  });

  it('clientKey ignores the zone of an address, whatever it holds', () => {
    const address = fc.constantFrom('fe80::1', '2001:db8:1:2::1', '::ffff:192.0.2.7', '192.0.2.7', '::1', 'not an address');
    fc.assert(
      fc.property(address, hostileText({ maxPieces: 6, maxRun: 200 }), (ip, zone) => {
        assert.equal(clientKey(`${ip}%${zone}`), clientKey(ip));
      }),
      { numRuns: 200 },
    );
  });
});
