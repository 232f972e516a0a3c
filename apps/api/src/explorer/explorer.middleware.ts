import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { explorerPage } from './explorer-page';

/** q-value of the best range in `accept` that names `type` explicitly (not via wildcards). */
function explicitQuality(accept: string, types: readonly string[]): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!types.includes(range)) continue;
    const q = params.find((p) => p.startsWith('q='));
    best = Math.max(best, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  return best;
}

/** A browser navigation (asks for HTML first), not a GraphQL client (JSON or `*\/*`). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = explicitQuality(accept, ['text/html']);
  const json = explicitQuality(accept, ['application/json', 'application/graphql-response+json']);
  return html > 0 && html >= json;
}

/**
 * GET /graphql from a browser gets the explorer page; every other request goes on to
 * Apollo. Runs as Nest middleware, which is mounted before Apollo's handler.
 */
@Injectable()
export class ExplorerMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (req.method !== 'GET' || !prefersHtml(req.headers.accept)) {
      next();
      return;
    }
    const body = explorerPage('/graphql');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache',
      vary: 'accept',
      // Only this server's own files: the explorer must work with no network.
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'",
    });
    res.end(body);
  }
}
