/**
 * `node dist/bench/profile-top.js FILE… [--top N]`: the top costs in profiles the servers
 * wrote under `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` (self time by function) or
 * `--heap-prof --heap-prof-dir=DIR` (sampled live allocation by function at exit), plus the
 * same totals by where the code lives: a package in node_modules, a folder of Tandem, Node's
 * own internals. A heap snapshot (`.heapsnapshot`, from `--heapsnapshot-signal`) is summed by
 * what its objects are: constructor names, strings, closures, arrays. Several files of one
 * kind are added up.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** `name (file:line)`, with the path cut to what identifies it. */
function label(frame: CallFrame): string {
  const where = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/');
  return where === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} (${where}:${frame.lineNumber + 1})`;
}

/** The package, Tandem folder or Node part a frame belongs to. */
function area(frame: CallFrame): string {
  const url = frame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /dist\/(src\/[^/]+|bench|src)\b/.exec(url);
  if (own) return own[1]!.replace(/\.js$/, '');
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  return url;
}

function add(totals: Map<string, number>, key: string, amount: number): void {
  totals.set(key, (totals.get(key) ?? 0) + amount);
}

function cpuTotals(profile: CpuProfile, byFunction: Map<string, number>, byArea: Map<string, number>): number {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  let total = 0;
  profile.samples.forEach((id, at) => {
    const micros = profile.timeDeltas[at] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    total += micros;
    add(byFunction, label(frame), micros);
    add(byArea, area(frame), micros);
  });
  return total;
}

function heapTotals(node: HeapNode, byFunction: Map<string, number>, byArea: Map<string, number>): number {
  add(byFunction, label(node.callFrame), node.selfSize);
  add(byArea, area(node.callFrame), node.selfSize);
  return node.children.reduce((sum, child) => sum + heapTotals(child, byFunction, byArea), node.selfSize);
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by `type name` (objects by constructor), and the total self size. */
function snapshotTotals(snapshot: HeapSnapshot, bySize: Map<string, number>, byCount: Map<string, number>): number {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  let total = 0;
  for (let at = 0; at < snapshot.nodes.length; at += fields.length) {
    const type = types[snapshot.nodes[at + typeAt]!]!;
    const size = snapshot.nodes[at + sizeAt]!;
    // Strings and code are many small names: by kind alone; objects by their constructor.
    const key = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${snapshot.strings[snapshot.nodes[at + nameAt]!]}` : `(${type})`;
    add(bySize, key, size);
    add(byCount, key, 1);
    total += size;
  }
  return total;
}

function print(title: string, totals: Map<string, number>, total: number, top: number, unit: (value: number) => string, counts?: Map<string, number>): void {
  process.stdout.write(`${title}\n`);
  for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const count = counts ? `${String(counts.get(key)).padStart(9)}  ` : '';
    process.stdout.write(`${((100 * value) / total).toFixed(1).padStart(6)} %  ${unit(value).padStart(10)}  ${count}${key}\n`);
  }
}

function main(): void {
  // Piped into `head`, the reader may leave early: that is the end of the output, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile|FILE.heapprofile|FILE.heapsnapshot … [--top N]\n');
    process.exit(2);
  }
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  if (args.every((file) => file.endsWith('.heapsnapshot'))) {
    const bySize = new Map<string, number>();
    const byCount = new Map<string, number>();
    let total = 0;
    for (const file of args) total += snapshotTotals(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot, bySize, byCount);
    process.stdout.write(`${args.length} heap snapshot(s), ${(total / 2 ** 20).toFixed(1)} MB of objects\n`);
    print('self size by kind (count after the size):', bySize, total, top, (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`, byCount);
    return;
  }
  const heap = args.every((file) => file.endsWith('.heapprofile'));
  let total = 0;
  for (const file of args) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile & { head: HeapNode };
    total += heap ? heapTotals(profile.head, byFunction, byArea) : cpuTotals(profile, byFunction, byArea);
  }
  const unit = heap ? (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB` : (micros: number) => `${(micros / 1000).toFixed(0)} ms`;
  process.stdout.write(`${args.length} ${heap ? 'heap' : 'CPU'} profile(s), ${unit(total)} in all\n`);
  print(heap ? 'live allocation by function:' : 'self time by function:', byFunction, total, top, unit);
  print('by area:', byArea, total, top, unit);
}

main();
