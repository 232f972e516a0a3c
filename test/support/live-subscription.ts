import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A long-lived graphql-ws subscription whose payloads a test can wait for. */
export interface LiveSubscription {
  readonly values: unknown[];
  readonly errors: unknown[];
  /** Resolves with the first payload matching `predicate`, rejects after `timeoutMs`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are read loosely
  waitFor(predicate: (value: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

export async function liveSubscription(
  httpUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<LiveSubscription> {
  const values: unknown[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  let connected!: () => void;
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  // Node 20 has no global WebSocket, hence `ws`.
  const client: Client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { connected: () => connected() },
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        values.push(value);
        for (const listener of listeners) listener();
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  await isConnected;
  // graphql-ws does not acknowledge a subscribe: give the server a moment to register it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    values,
    errors,
    waitFor(predicate, timeoutMs = 8000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = values.find(predicate);
          if (found === undefined) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`No matching payload within ${timeoutMs} ms; got ${JSON.stringify(values)}`),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}
