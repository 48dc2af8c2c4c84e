/**
 * The web pages as a browser meets them: the pages and their hashed assets with their
 * types, caching and security headers; the Tandem 404 for anything else, path traversal
 * included; nothing of them in the OpenAPI document; and no memory kept per requested path,
 * however many unknown assets a client asks for.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { before, describe, it } from 'node:test';
import { getHeapSnapshot } from 'node:v8';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';

/** dist/test/ → dist/web/ */
const WEB_ROOT = new URL('../web/', import.meta.url);
const NOT_FOUND = { error: 'not_found', message: 'Not found' };
const PAGE_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with the path sent exactly as given (fetch would resolve `..` and `%2e%2e` first). */
function rawGet(base: string, path: string): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * How many distinct strings containing `marker` the process still holds. A heap snapshot
 * starts with a full garbage collection, so what it lists is what is retained; the strings
 * table lists each distinct string once.
 */
async function retainedStrings(marker: string): Promise<number> {
  let count = 0;
  let tail = '';
  const snapshot = getHeapSnapshot();
  snapshot.setEncoding('utf8');
  for await (const chunk of snapshot as AsyncIterable<string>) {
    const text = tail + chunk;
    for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) count++;
    tail = text.slice(-(marker.length - 1));
  }
  return count;
}

describe('web pages', () => {
  let server: TestServer;
  const cleanup = suiteCleanup();
  const assets = readdirSync(new URL('assets/', WEB_ROOT));
  const asset = (pattern: RegExp) => {
    const name = assets.find((file) => pattern.test(file));
    assert.ok(name, `dist/web/assets has ${pattern}`);
    return `/assets/${name}`;
  };
  before(async () => {
    server = await startServer(cleanup);
  });

  it('serves the pages: HTML, revalidated, with their Content-Security-Policy, X-Frame-Options and referrer policy', async () => {
    for (const [path, file] of [
      ['/', 'index.html'],
      ['/admin', 'admin.html'],
    ] as const) {
      const reply = await fetch(server.http + path);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.equal(reply.headers.get('cache-control'), 'no-cache', path);
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(reply.headers.get('content-security-policy'), PAGE_POLICY, path);
      assert.equal(reply.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(reply.headers.get('referrer-policy'), 'same-origin', path);
      assert.equal(await reply.text(), readFileSync(new URL(file, WEB_ROOT), 'utf8'), path);
    }
  });

  it('serves the hashed assets with their types, cached for good, without the page headers', async () => {
    const cases: Array<[string, string]> = [
      [asset(/^chat-.*\.js$/), 'text/javascript; charset=utf-8'],
      [asset(/^admin-.*\.js$/), 'text/javascript; charset=utf-8'],
      [asset(/^styles-.*\.css$/), 'text/css; charset=utf-8'],
      [asset(/^chat-.*\.js\.map$/), 'application/json; charset=utf-8'],
    ];
    for (const [path, type] of cases) {
      const reply = await fetch(server.http + path);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers.get('content-type'), type, path);
      assert.equal(reply.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(reply.headers.get('content-security-policy'), null, path);
      assert.equal(reply.headers.get('x-frame-options'), null, path);
      assert.equal(await reply.text(), readFileSync(new URL(`.${path}`, WEB_ROOT), 'utf8'), path);
    }
    const head = await fetch(server.http + cases[0]![0], { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), cases[0]![1]);
  });

  it('404 with the error body, and never cached, for unknown assets and other paths', async () => {
    for (const path of [
      '/assets/nope.js',
      '/assets/chat.js',
      '/assets/nope.txt',
      '/assets/',
      '/assets',
      '/index.html',
      '/admin.html',
      '/admin/',
      '/web/index.html',
    ]) {
      const reply = await fetch(server.http + path);
      assert.equal(reply.status, 404, path);
      assert.deepEqual(await reply.json(), NOT_FOUND, path);
      assert.equal(reply.headers.get('cache-control'), 'no-store', path);
    }
  });

  it('404 for path traversal and odd names: only files under dist/web/ are reachable', async () => {
    const chat = asset(/^chat-.*\.js$/).slice('/assets/'.length);
    const paths = [
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/../../package.json',
      '/assets/../index.html',
      '/assets/..%2findex.html',
      '/assets/..%5c..%5cpackage.json',
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      `/assets/.%2f${chat}`,
      `/assets/x%2f..%2f${chat}`,
      '/assets/%00.js',
      `/assets/${chat}%00.js`,
      '/assets/.hidden.js',
      '/assets/../../src/main.js',
      '/assets/..%2f..%2fsrc%2fmain.js',
    ];
    for (const path of paths) {
      const reply = await rawGet(server.http, path);
      assert.equal(reply.status, 404, path);
      assert.deepEqual(JSON.parse(reply.body), NOT_FOUND, path);
    }
  });

  it('leaves the pages out of the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.http}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(document.paths);
    assert.ok(paths.includes('/api/me'), 'the API is there');
    for (const path of paths) assert.ok(path.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(path), `${path} is API`);
  });

  it('keeps nothing per requested path: 5 000 distinct unknown assets leave no trace in the heap', async () => {
    const marker = `probe${randomBytes(12).toString('hex')}`;
    const total = 5_000;
    let next = 0;
    async function worker(): Promise<void> {
      while (next < total) {
        const i = next++;
        const reply = await fetch(`${server.http}/assets/${marker}-${i}.js`);
        assert.equal(reply.status, 404);
        await reply.arrayBuffer();
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker));
    // fetch's resource timings (this client's, up to 250) name the URLs too.
    performance.clearResourceTimings();
    const retained = await retainedStrings(marker);
    // The marker itself, and the odd string a socket or a parser still holds; never one per path.
    assert.ok(retained < 20, `${retained} strings naming the ${total} requested paths are still retained`);
  });
});
