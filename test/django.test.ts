/**
 * The Django integration (integrations/django) against a real Tandem: its Python tests run
 * with Django's test runner, their live server on a port this test picked, so that Tandem's
 * AUTH_PROXY_URL and WEBHOOK_URL point at it. A seed-style client connects with only the
 * Django session cookie, a minted token connects, Tandem's signed webhooks become signals and
 * a forged one is refused, and the export of the seed's models is accepted by the import.
 * Without a Python that has Django the suite is skipped (CI: fails; .ci/run installs
 * python3-django).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { suiteNeeding } from './helpers/needs.js';
import { freePort } from './helpers/ports.js';
import { startServer } from './helpers/server.js';

const PACKAGE = fileURLToPath(new URL('../../integrations/django/', import.meta.url));

/** The first Python that imports Django: TANDEM_TEST_PYTHON, python3, then Debian's own (where python3-django lands). */
function pythonWithDjango(): string | null {
  const candidates = [process.env.TANDEM_TEST_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  return candidates.find((python) => spawnSync(python, ['-c', 'import django'], { stdio: 'ignore' }).status === 0) ?? null;
}

const python = pythonWithDjango();

suiteNeeding(
  'Django integration',
  python === null ? 'no Python with Django (apt-get install python3-django)' : null,
  () => {
    it('passes its own tests against a real Tandem', async (t) => {
      const djangoPort = await freePort();
      const django = `http://127.0.0.1:${djangoPort}`;
      const secrets = {
        TANDEM_API_KEY: randomBytes(24).toString('base64url'),
        TANDEM_JWT_SECRET: randomBytes(32).toString('base64url'),
        TANDEM_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      };
      const server = await startServer(t, {
        AUTH: 'local,proxy,jwt',
        AUTH_PROXY_URL: `${django}/tandem/whoami`,
        AUTH_PROXY_TIMEOUT_MS: '5000',
        JWT_SECRET: secrets.TANDEM_JWT_SECRET,
        API_KEYS: `django:${secrets.TANDEM_API_KEY}`,
        WEBHOOK_URL: `${django}/tandem/webhook`,
        WEBHOOK_SECRET: secrets.TANDEM_WEBHOOK_SECRET,
        WEBHOOK_POLL_INTERVAL_MS: '50',
        WEBHOOK_BACKOFF_BASE_MS: '20',
        WEBHOOK_BACKOFF_MAX_MS: '200',
      });
      const child = spawn(python!, ['-m', 'django', 'test', 'tests', '--settings=tests.settings', '-v', '2'], {
        cwd: PACKAGE,
        env: { ...process.env, ...secrets, TANDEM_URL: server.http, TANDEM_TEST_DJANGO_PORT: String(djangoPort), PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      t.after(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, output);
      const ran = /^Ran (\d+) tests?/m.exec(output);
      assert.ok(ran && Number(ran[1]) >= 12, `the Python tests ran:\n${output}`);
      assert.doesNotMatch(output, /skipped/, 'none skipped: the live tests ran against this Tandem');
    });
  },
  'apt-get install python3-django',
);
