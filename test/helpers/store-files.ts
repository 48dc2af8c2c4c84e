/**
 * What tests of backups, restores and moves share: the commands as child processes (the
 * built `dist/src/operations/*.js`), and a pair's whole history read page by page.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Agent } from './http.js';

const OPERATIONS = (name: string) => fileURLToPath(new URL(`../../src/operations/${name}.js`, import.meta.url));

export interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <name>`'s built script with `args` and `env` on top of this process's; resolves when it exits. */
export async function runOperation(name: 'backup' | 'move-store', args: string[], env: Record<string, string> = {}): Promise<CommandRun> {
  const child = spawn(process.execPath, [OPERATIONS(name), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Starts the command without waiting; the caller signals or awaits it. */
export function startOperation(name: 'backup' | 'move-store', args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [OPERATIONS(name), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, closed, output: () => output };
}

/** Every message of the pair as `agent` reads its history with `partnerEmail`, oldest first. */
export async function wholeHistory(agent: Agent, partnerEmail: string): Promise<any[]> {
  const messages: any[] = [];
  let before = '';
  // From the newest page back: `before` pages toward older messages.
  for (;;) {
    const page = await agent.get(`/api/chat/${encodeURIComponent(partnerEmail)}/messages?limit=200${before}`);
    if (page.status !== 200) throw new Error(`history answered ${page.status}: ${JSON.stringify(page.body)}`);
    messages.unshift(...page.body.messages);
    if (!page.body.has_more || page.body.messages.length === 0) return messages;
    before = `&before=${page.body.messages[0].message_id}`;
  }
}
