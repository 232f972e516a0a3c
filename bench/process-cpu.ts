/**
 * CPU figures of this machine's processes from /proc, for the benchmarks: what a request or
 * an append costs in the server and in PostgreSQL, whatever else the shared machine runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The whole machine's CPU ticks so far, busy and total (every core). */
export function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const values = fields.map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The fields of /proc/<pid>/stat after the command name; undefined once it has exited. */
export function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile, or no /proc
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(String(pid));
  return f ? (Number(f[11]) + Number(f[12])) / 100 : NaN;
}

/**
 * CPU seconds of the whole PostgreSQL server: the postmaster with the children it reaped
 * (cutime, cstime) plus every live child (backends, walwriter, checkpointer, …).
 */
export function postgresCpuSeconds(postmaster: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    if (Number(pid) === postmaster) {
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } else if (Number(f[1]) === postmaster) {
      ticks += Number(f[11]) + Number(f[12]);
    }
  }
  return ticks / 100;
}
