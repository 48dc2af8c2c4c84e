/** Which values of CI make a run CI, where a missing backend fails instead of skipping. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { underCI } from './helpers/needs.js';

it('treats any non-empty CI but "false" and "0" as CI (unset is not CI)', () => {
  for (const value of ['true', '1', 'TRUE', 'yes', 'github-actions']) assert.equal(underCI({ CI: value }), true, value);
  for (const value of ['', ' ', 'false', 'FALSE', '0']) assert.equal(underCI({ CI: value }), false, JSON.stringify(value));
  assert.equal(underCI({}), false, 'unset');
});
