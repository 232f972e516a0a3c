import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH; undefined when absent. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/**
 * What a file's browser tests run under: Chromium's path, and a describe that is skipped,
 * with a warning and a title that says so, when there is no Chromium (`spec`: the file's name).
 */
export function browserSuite(spec: string): {
  readonly chromium: string | undefined;
  readonly describeInBrowser: typeof describe;
  readonly browserTitle: string;
} {
  const chromium = findChromium();
  if (!chromium) {
    console.warn(
      `${spec}: SKIPPING the browser test: no Chromium found (apt-get install chromium)`,
    );
  }
  return {
    chromium,
    describeInBrowser: chromium ? describe : describe.skip,
    browserTitle: chromium
      ? 'when opened in headless Chromium'
      : 'when opened in headless Chromium [SKIPPED: no Chromium installed, apt-get install chromium]',
  };
}

export interface Page {
  /** Evaluates an expression in the page and returns its (JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy, then returns it. */
  waitFor<T>(expression: string, timeoutMs?: number): Promise<T>;
  /** Sends any DevTools protocol command (e.g. Page.captureScreenshot) and returns its result. */
  send<T>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Opens `url` in headless Chromium and drives it over the DevTools protocol (no downloads). */
export async function openPage(chromium: string, url: string): Promise<Page> {
  const profile = await mkdtemp(join(tmpdir(), 'okr-chromium-'));
  const child: ChildProcess = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const cleanup = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    // Chromium's helper processes may still be writing the profile after the browser exits:
    // retry, and never fail a test over a temporary folder.
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }).catch(
      () => undefined,
    );
  };
  try {
    const browserWs = await new Promise<string>((done, fail) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`Chromium did not start:\n${output}`)), 20_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          done(match[1]);
        }
      });
      child.once('exit', (code) => fail(new Error(`Chromium exited (${code}):\n${output}`)));
    });
    const port = new URL(browserWs).port;
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.type === 'page');
    if (!target) throw new Error('Chromium opened no page');
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((done, fail) => socket.once('open', done).once('error', fail));
    let nextId = 0;
    const pending = new Map<number, (message: Record<string, unknown>) => void>();
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number } & Record<string, unknown>;
      if (message.id !== undefined) pending.get(message.id)?.(message);
    });
    const send = async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
      const id = ++nextId;
      const reply = new Promise<Record<string, unknown>>((done) => pending.set(id, done));
      socket.send(JSON.stringify({ id, method, params }));
      const message = (await reply) as { result?: T };
      pending.delete(id);
      return message.result as T;
    };
    const evaluate = async <T>(expression: string): Promise<T> => {
      const result = await send<{ result?: { value?: T } }>('Runtime.evaluate', {
        expression,
        returnByValue: true,
        awaitPromise: true,
      });
      return result?.result?.value as T;
    };
    return {
      evaluate,
      send,
      async waitFor<T>(expression: string, timeoutMs = 20_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = await evaluate<T>(expression);
          if (value) return value;
          if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async close() {
        socket.close();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
