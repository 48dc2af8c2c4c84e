/**
 * What the bench reads about its own child processes from Linux's /proc: CPU seconds used,
 * resident memory now and at its peak. On a system without /proc every reading is null and
 * the report says "n/a" rather than a made-up figure. Also the open-file limit that
 * thousands of sockets need.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU fields. */
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // Linux's USER_HZ on every common architecture
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds the process has used so far; null when it cannot be read. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

function statusKb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resident memory of the process now, in bytes. */
export const rssBytes = (pid: number | undefined) => statusKb(pid, 'VmRSS');
/** The largest resident memory the process has had, in bytes (the kernel's high-water mark). */
export const peakRssBytes = (pid: number | undefined) => statusKb(pid, 'VmHWM');

/** The shell's soft and hard limits on open files (`ulimit -n`, `ulimit -Hn`). */
export function fileLimits(): { soft: number; hard: number } {
  const [soft, hard] = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => (line.trim() === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line)));
  return { soft: soft!, hard: hard! };
}

/**
 * Throws, saying what to do, when a process may not open `files` files. Node raises its soft
 * limit to the hard one as it starts (so `ulimit -n` of the shell does not matter, and this
 * process and every child already have the hard limit); only root can raise the hard one.
 */
export function requireFileLimit(files: number): void {
  const { hard } = fileLimits();
  if (hard < files) {
    throw new Error(`${files} open files are needed but the hard limit is ${hard} (ulimit -Hn); raise it (e.g. in /etc/security/limits.conf) and run again`);
  }
}
