import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSchema } from 'graphql';
import { documentLimitsMiddleware } from './document-limits.middleware';
import { DEFAULT_QUERY_LIMITS } from './query-limits';

const schema = buildSchema(`
  type Node { id: ID! children(first: Int): [Node!]! }
  type Query { node: Node }
`);
const limits = { ...DEFAULT_QUERY_LIMITS, maxComplexity: 50, maxDepth: 4 };

/** Runs the middleware on one POST body: 'next' when it lets the request through. */
function send(
  middleware: ReturnType<typeof documentLimitsMiddleware>,
  body: unknown,
): { outcome: 'next' | 'refused'; body?: string } {
  let refusal: string | undefined;
  let passed = false;
  const req = { method: 'POST', body, headers: {} } as unknown as IncomingMessage;
  const res = {
    writeHead: () => res,
    end: (text: string) => (refusal = text),
  } as unknown as ServerResponse;
  middleware(req, res, (error?: unknown) => {
    if (error !== undefined) throw error instanceof Error ? error : new Error('next(error)');
    passed = true;
  });
  return passed ? { outcome: 'next' } : { outcome: 'refused', body: refusal };
}

describe('documentLimitsMiddleware', () => {
  describe('when the same document comes again (its parse is kept)', () => {
    it('still measures each request with its own variables', () => {
      const middleware = documentLimitsMiddleware(limits, () => schema);
      const query = 'query ($n: Int) { node { children(first: $n) { id } } }';
      expect(send(middleware, { query, variables: { n: 10 } }).outcome).toBe('next');
      const big = send(middleware, { query, variables: { n: 100 } });
      expect(big.outcome).toBe('refused');
      expect(big.body).toContain('QUERY_TOO_COMPLEX');
      expect(send(middleware, { query, variables: { n: 10 } }).outcome).toBe('next');
    });
    it('refuses a document over a limit every time', () => {
      const middleware = documentLimitsMiddleware(limits, () => schema);
      const deep = '{ node { children { children { children { children { id } } } } } }';
      const tokens = `{ node { id ${'id '.repeat(limits.maxTokens)} } }`;
      for (let i = 0; i < 3; i++) {
        expect(send(middleware, { query: deep }).body).toContain('QUERY_TOO_DEEP');
        expect(send(middleware, { query: tokens }).outcome).toBe('refused');
      }
    });
    it('leaves a document that does not parse to Apollo every time', () => {
      const middleware = documentLimitsMiddleware(limits, () => schema);
      for (let i = 0; i < 2; i++)
        expect(send(middleware, { query: '{ node {' }).outcome).toBe('next');
    });
  });
});
