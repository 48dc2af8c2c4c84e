/**
 * `npm run import -- <file.ndjson>`: the import of `POST /api/import`, straight into the
 * database the settings name (DATABASE_URL), with a progress line on stderr every 10 000
 * lines and the report on stdout. Exits 0 when every line was imported, 1 when some were
 * refused, 2 when it could not run.
 */
import { createReadStream } from 'node:fs';
import { loadConfig } from '../config.js';
import { openStore } from '../store/index.js';
import { importNdjson, type ImportReport } from './importer.js';

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run import -- <file.ndjson>\n');
    return 2;
  }
  const config = loadConfig();
  const store = await openStore(config.database, { timeoutMs: config.storeTimeoutMs });
  const started = Date.now();
  const progress = (report: Readonly<ImportReport>, final = false) => {
    const seconds = (Date.now() - started) / 1000;
    const rss = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stderr.write(
      `${final ? 'done' : 'imported'}: ${report.lines} lines in ${seconds.toFixed(1)} s — ${report.messages.created} messages new, ` +
        `${report.messages.unchanged} already there, ${report.refused_total} lines refused; peak RSS ${rss} MiB\n`,
    );
  };
  try {
    const report = await importNdjson(createReadStream(file), { store, mentorCapacity: config.mentorCapacity, onProgress: (r) => progress(r) });
    progress(report, true);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.refused_total > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`import failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
