/**
 * Suites that need something the machine may lack (a PostgreSQL or Redis to talk to, a
 * Chromium to drive). Without it the suite is not silently green: it shows as a skipped test
 * named after the suite and the reason, so the runner's summary counts it under `# skipped`;
 * with CI=true it fails instead, so CI can never pass by skipping.
 */
import { describe, it } from 'node:test';

/** Registers `body` as suite `name`, or — when `missing` names what is absent — a skipped (CI: failing) stand-in. */
export function suiteNeeding(name: string, missing: string | null, body: () => void, ciHint: string): void {
  if (missing === null) {
    void describe(name, body);
    return;
  }
  void describe(name, () => {
    if (process.env.CI === 'true') {
      it(`cannot run: ${missing}`, () => {
        throw new Error(`${missing}: CI must run this suite (${ciHint})`);
      });
    } else {
      it(`every test of "${name}"`, { skip: missing }, () => {});
    }
  });
}
