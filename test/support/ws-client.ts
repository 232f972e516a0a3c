import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Outcome of one subscription over graphql-ws: the payloads, or how the socket closed. */
export interface SubscriptionOutcome {
  readonly values: unknown[];
  readonly errors: unknown[];
  readonly closeCode?: number;
}

/** Runs one operation over graphql-ws (Node 20 has no global WebSocket, so `ws`). */
export async function subscribeOnce(
  httpUrl: string,
  connectionParams: Record<string, unknown> | undefined,
  query: string,
): Promise<SubscriptionOutcome> {
  const values: unknown[] = [];
  const errors: unknown[] = [];
  let closeCode: number | undefined;
  const client: Client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => (closeCode = (event as { code?: number }).code) },
  });
  try {
    await new Promise<void>((done) => {
      client.subscribe(
        { query },
        {
          next: (value) => values.push(value),
          error: (error) => {
            errors.push(error);
            done();
          },
          complete: () => done(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return { values, errors, closeCode };
}
