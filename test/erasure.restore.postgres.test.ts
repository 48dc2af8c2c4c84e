/**
 * The erasure log on PostgreSQL (docs/backups.md): with `ERASURE_LOG` set, an erasure made
 * after a copy of the database was taken is applied again when an instance starts on that
 * copy. The copy here is made with `npm run move-store` into a second database, standing in
 * for a `pg_restore` of an earlier dump.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { REPLAY_ACTOR } from '../src/operations/erasure-replay.js';
import { passwordOf } from './helpers/accounts.js';
import { freshDatabase, withBackends } from './helpers/backends.js';
import { Agent, createUser, loginAdmin, match } from './helpers/http.js';
import { startServer, tempDir } from './helpers/server.js';
import { runOperation } from './helpers/store-files.js';

const enc = encodeURIComponent;

it('ERASURE_LOG: beside an SQLite file by default, none on PostgreSQL unless set, `off` switches it off', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:/data/tandem.db' }).erasureLog, '/data/tandem.db.erasures');
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:/data/tandem.db', ERASURE_LOG: 'off' }).erasureLog, null);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/tandem' }).erasureLog, null);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/tandem', ERASURE_LOG: '/var/lib/tandem/erasures' }).erasureLog, '/var/lib/tandem/erasures');
});

withBackends('the erasure log on PostgreSQL', { postgres: true }, () => {
  describe('the erasure log on PostgreSQL', () => {
    it('an erasure made after the copy was taken is in force once an instance starts on the copy', async (t) => {
      const live = await freshDatabase();
      t.after(live.drop);
      const copy = await freshDatabase();
      t.after(copy.drop);
      const log = join(tempDir(t), 'erasures');
      const first = await startServer(t, { DATABASE_URL: live.url, ERASURE_LOG: log });
      const admin = await loginAdmin(first.http);
      const mentor = await createUser(admin, { role: 'MENTOR' });
      const mentee = await createUser(admin, { role: 'MENTEE' });
      await match(admin, mentor, mentee);
      await first.close();
      const taken = await runOperation('move-store', [live.url, copy.url]);
      assert.equal(taken.code, 0, taken.stderr);

      const again = await startServer(t, { DATABASE_URL: live.url, ERASURE_LOG: log });
      const adminAgain = await loginAdmin(again.http);
      assert.equal((await adminAgain.delete(`/api/users/${enc(mentee.email)}`)).status, 204);
      assert.match(readFileSync(log, 'utf8'), /^\d+ \d+\n$/);
      await again.close();

      const restored = await startServer(t, { DATABASE_URL: copy.url, ERASURE_LOG: log });
      const refused = await new Agent(restored.http).post('/api/auth/login', { email: mentee.email, password: passwordOf(mentee.email) });
      assert.equal(refused.status, 401, 'the erased user cannot sign in on the restored copy');
      const mentorAgain = await new Agent(restored.http).login(mentor.email, passwordOf(mentor.email));
      assert.deepEqual((await mentorAgain.get('/api/me')).body.partners, [], 'the match ended with the erasure');
      const replays = (await (await loginAdmin(restored.http)).get('/api/audit')).body.entries.filter((entry: any) => entry.actor === REPLAY_ACTOR);
      assert.equal(replays.length, 1);
    });
  });
});
