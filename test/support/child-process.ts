import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** A process of ours started from its TypeScript sources, with its output collected. */
export interface Launched {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Runs `entry` (a path from the repository root) as `npm start` or an npm script would. */
export function launch(
  entry: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): Launched {
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'scripts/register-ts.cjs'), join(root, entry), ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

/** The first capture group (or the whole match) of `pattern` once the output shows it. */
export async function waitForOutput(
  launched: Launched,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(launched.output());
    if (match) return match[1] ?? match[0];
    if (launched.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not see ${String(pattern)} in:\n${launched.output()}`);
}
