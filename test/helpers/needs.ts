/**
 * Suites that need something the machine may lack (a PostgreSQL or Redis to talk to, a
 * Chromium to drive). Without it the suite is not silently green: it shows as a skipped test
 * named after the suite and the reason, so the runner's summary counts it under `# skipped`;
 * under CI (see `underCI`) it fails instead, so CI can never pass by skipping.
 */
import { describe, it, type TestContext } from 'node:test';

/**
 * Whether this run is CI. CI services set CI to "true", others to "1" or a name; so any
 * non-empty value counts, except "false" and "0", which people write to say "not CI".
 */
export function underCI(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.CI;
  if (value === undefined) return false;
  const normalised = value.trim().toLowerCase();
  return normalised !== '' && normalised !== 'false' && normalised !== '0';
}

/**
 * Registers test `name`, or — when `missing` names what is absent — a visibly skipped test
 * (under CI a failing one), for a single case inside a suite that runs anyway.
 */
export function itNeeding(name: string, missing: string | null, body: (t: TestContext) => Promise<void>, ciHint: string): void {
  if (missing === null) {
    void it(name, body);
  } else if (underCI()) {
    void it(name, () => {
      throw new Error(`${missing}: CI must run this test (${ciHint})`);
    });
  } else {
    void it(name, { skip: missing }, () => {});
  }
}

/** Registers `body` as suite `name`, or — when `missing` names what is absent — a skipped (CI: failing) stand-in. */
export function suiteNeeding(name: string, missing: string | null, body: () => void, ciHint: string): void {
  if (missing === null) {
    void describe(name, body);
    return;
  }
  void describe(name, () => {
    if (underCI()) {
      it(`cannot run: ${missing}`, () => {
        throw new Error(`${missing}: CI must run this suite (${ciHint})`);
      });
    } else {
      it(`every test of "${name}"`, { skip: missing }, () => {});
    }
  });
}
