/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: self time by function and by
 * package, over the whole profile or only its last seconds (the load phase of a benchmark).
 *
 * Run: node -r ./scripts/register-ts.cjs bench/cpu-profile-summary.ts <file.cpuprofile>
 *        [--last-seconds 10] [--top 25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (!file)
  throw new Error('usage: cpu-profile-summary <file.cpuprofile> [--last-seconds N] [--top N]');
const lastSeconds = option('--last-seconds', Infinity);
const top = option('--top', 25);

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** The package a script belongs to, or "ours: <dir>" for the project's own files. */
function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node core';
  const ours = /\/(apps|libs)\/([^/]+)\/(?:src\/)?([^/]+)?/.exec(url);
  return ours ? `ours: ${ours[1]}/${ours[2]}/${ours[3] ?? ''}` : url;
}

const label = (f: CallFrame): string => {
  const where = f.url
    ? `${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\/apps\/api\//, '')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

// Sample timestamps: the deltas add up from the profile's start.
const times: number[] = [];
let t = 0;
for (const d of profile.timeDeltas) times.push((t += d));
const end = times[times.length - 1] ?? 0;
const from = Number.isFinite(lastSeconds) ? end - lastSeconds * 1e6 : -Infinity;

// Native and Node-core time (socket writes, JSON, crypto) charged to the nearest caller that
// is a package or our code: says whether `writev` serves HTTP responses or PostgreSQL queries.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const isCode = (f: CallFrame) => f.url !== '' && !f.url.startsWith('node:');
function attributed(node: ProfileNode): string {
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    if (isCode(frame)) return packageOf(frame.url);
  }
  return '(no caller)';
}
// Inclusive time of our own functions (each counted once per sample, however deep).
function oursOnStack(node: ProfileNode): Set<string> {
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    if (/\/(apps|libs)\//.test(frame.url) && !frame.url.includes('node_modules'))
      seen.add(label(frame));
  }
  return seen;
}

const byCaller = new Map<string, number>();
const inclusiveOurs = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const selfByPackage = new Map<string, number>();
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  if (times[i]! < from) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const node = byId.get(profile.samples[i]!);
  if (!node) continue;
  total += dt;
  const name = node.callFrame.functionName;
  if (name === '(idle)') {
    idle += dt;
    continue;
  }
  const caller = name === '(garbage collector)' ? '(garbage collector)' : attributed(node);
  byCaller.set(caller, (byCaller.get(caller) ?? 0) + dt);
  for (const f of oursOnStack(node)) inclusiveOurs.set(f, (inclusiveOurs.get(f) ?? 0) + dt);
  const fn = label(node.callFrame);
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + dt);
  const pkg =
    name === '(garbage collector)' ? '(garbage collector)' : packageOf(node.callFrame.url);
  selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + dt);
}

const busy = total - idle;
const pct = (v: number) => `${((100 * v) / busy).toFixed(1)} %`;
const ms = (v: number) => (v / 1000).toFixed(0);
const table = (title: string, entries: Map<string, number>) => {
  const rows = [...entries].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n| ${title} | self ms | of busy |\n| --- | ---: | ---: |`);
  for (const [k, v] of rows)
    console.log(`| \`${k.replace(/\|/g, '\\|')}\` | ${ms(v)} | ${pct(v)} |`);
};
console.log(
  `${file}: ${ms(total)} ms sampled${Number.isFinite(lastSeconds) ? ` (last ${lastSeconds} s)` : ''}, ` +
    `${ms(busy)} ms busy (${((100 * busy) / total).toFixed(0)} % of the main thread), ${ms(idle)} ms idle`,
);
table('package (self)', selfByPackage);
table('package or our code, native and Node-core time charged to the nearest caller', byCaller);
table('function (self)', selfByFunction);
table('our function (inclusive)', inclusiveOurs);
