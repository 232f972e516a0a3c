import { createServer, connect, type Server, type Socket } from 'node:net';

/** PostgreSQL's ReadyForQuery message: 'Z', length 5, then the transaction status byte. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A TCP proxy between clients and a PostgreSQL server that can lose a reply for real. Armed
 * with a marker, the next client message containing it (e.g. the append statement's name in
 * its Parse or Bind message) is forwarded to the server; the server's answer is held back
 * until its ReadyForQuery (the implicit transaction has committed or rolled back by then) and
 * the client's socket is destroyed instead of relaying it. The client sees a dropped
 * connection after its statement was sent, exactly what a network cut during COMMIT does.
 */
export interface FaultProxy {
  /** The same database URL with host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string;
  /** Drops the next connection that sends a message containing `marker`; once. */
  arm(marker: string): void;
  /** Resolves when the armed drop has happened (the server had answered, the client was cut). */
  tripped(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let marker: Buffer | null = null;
  let onTrip: () => void = () => undefined;
  let trip = new Promise<void>((resolve) => (onTrip = resolve));
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let doomed = false;
    let held = Buffer.alloc(0);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      if (marker && !doomed && chunk.includes(marker)) {
        marker = null;
        doomed = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!doomed) {
        client.write(chunk);
        return;
      }
      held = Buffer.concat([held, chunk]);
      if (held.includes(READY_FOR_QUERY)) {
        end();
        onTrip();
      }
    });
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    arm(text) {
      marker = Buffer.from(text, 'utf8');
      trip = new Promise<void>((resolve) => (onTrip = resolve));
    },
    tripped: () => trip,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
