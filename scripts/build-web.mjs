#!/usr/bin/env node
/**
 * Builds the web pages into dist/web/: type-checks web/ (with the DOM library, see
 * web/tsconfig.json), bundles each page's TypeScript and the stylesheet with esbuild into
 * content-hashed files under dist/web/assets/, and writes index.html, admin.html, setup.html and reset.html pointing
 * at them. Nothing is fetched from anywhere at run time: the pages load only these files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');

function typecheck() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'web', 'tsconfig.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('build-web: type errors in web/ (see above)\n');
    process.exit(result.status ?? 1);
  }
}

async function bundle() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      chat: 'web/chat/main.ts',
      admin: 'web/admin/main.ts',
      setup: 'web/setup/main.ts',
      reset: 'web/reset/main.ts',
      signup: 'web/signup/main.ts',
      styles: 'web/styles.css',
    },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    splitting: false,
    minify: true,
    sourcemap: 'linked',
    target: ['chrome109', 'firefox115', 'safari15.6'],
    metafile: true,
    logLevel: 'warning',
  });
  /** entry name (chat, admin, styles) → public path of its hashed output */
  const published = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!output.entryPoint || file.endsWith('.map')) continue;
    const name = basename(output.entryPoint).replace(/\.(ts|css)$/, '');
    const page = ['chat', 'admin', 'setup', 'reset', 'signup'].find((dir) => output.entryPoint.startsWith(`web/${dir}/`));
    const entry = page ?? name;
    published[entry] = '/' + relative(out, join(root, file)).split('\\').join('/');
  }
  return published;
}

function writePage(name, published) {
  let html = readFileSync(join(root, 'web', name), 'utf8');
  for (const [entry, path] of Object.entries(published)) {
    const extension = entry === 'styles' ? 'css' : 'js';
    html = html.replaceAll(`/assets/${entry}.${extension}`, path);
  }
  writeFileSync(join(out, name), html);
}

typecheck();
const published = await bundle();
for (const entry of ['chat', 'admin', 'setup', 'reset', 'signup', 'styles']) {
  if (!published[entry]) throw new Error(`build-web: no output for ${entry}`);
}
writePage('index.html', published);
writePage('admin.html', published);
writePage('setup.html', published);
writePage('reset.html', published);
