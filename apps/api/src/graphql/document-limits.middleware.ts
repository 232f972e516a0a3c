import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, GraphQLError, type GraphQLSchema, parse } from 'graphql';
import { ApiError } from '../errors/api.errors';
import { acceptsOnlyLegacyJson, statusForDocumentErrors } from './media-type';
import { enforceDocumentLimits, enforceSourceLimits, type QueryLimits } from './query-limits';

interface GraphqlHttpRequest extends IncomingMessage {
  readonly body?: unknown;
  readonly query?: unknown;
}

/**
 * The query limits, checked before Apollo sees the request: first on the tokens (count and
 * bracket nesting, without recursion), then on the parsed document (aliases, mutation root
 * fields, depth and complexity). Validation, the costly step a hostile document aims at,
 * thus never runs on a document over a limit. (Apollo plugins cannot refuse a request
 * before validation: an error thrown from their hooks becomes a 500.) A document that does
 * not parse is left to Apollo, which reports the syntax error.
 */
export function documentLimitsMiddleware(limits: QueryLimits, schema: () => GraphQLSchema) {
  const parsed = new ParsedDocuments();
  return (req: GraphqlHttpRequest, res: ServerResponse, next: (error?: unknown) => void): void => {
    const params = record(req.method === 'GET' ? req.query : req.body);
    const query = params?.query;
    if (typeof query !== 'string') {
      next();
      return;
    }
    try {
      let document = parsed.get(query);
      if (document === undefined) {
        enforceSourceLimits(query, limits);
        document = parseOrUndefined(query, limits);
        if (document) parsed.add(query, document);
      }
      if (document) {
        const operationName =
          typeof params?.operationName === 'string' ? params.operationName : undefined;
        enforceDocumentLimits(schema(), document, operationName, variablesOf(params), limits);
      }
    } catch (error) {
      if (error instanceof ApiError) {
        sendRefusal(req, res, error);
        return;
      }
      next(error);
      return;
    }
    next();
  };
}

/**
 * Documents that passed the source limits and parsed, by their text: clients send the same
 * few documents again and again, and both steps depend on the text alone (the limits are the
 * middleware's). Bounded: at most 500 documents of at most 20,000 characters, oldest out first.
 */
class ParsedDocuments {
  private static readonly MAX_DOCUMENTS = 500;
  private static readonly MAX_LENGTH = 20_000;
  private readonly documents = new Map<string, DocumentNode>();

  get(query: string): DocumentNode | undefined {
    return this.documents.get(query);
  }

  add(query: string, document: DocumentNode): void {
    if (query.length > ParsedDocuments.MAX_LENGTH) return;
    if (this.documents.size >= ParsedDocuments.MAX_DOCUMENTS) {
      const oldest = this.documents.keys().next();
      if (!oldest.done) this.documents.delete(oldest.value);
    }
    this.documents.set(query, document);
  }
}

function parseOrUndefined(query: string, limits: QueryLimits) {
  try {
    return parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
}

function sendRefusal(req: IncomingMessage, res: ServerResponse, error: ApiError): void {
  const accept = req.headers.accept;
  const { http: _http, ...extensions } = error.extensions;
  const body = JSON.stringify({ errors: [{ message: error.message, extensions }] });
  const graphqlResponse =
    !!accept && !acceptsOnlyLegacyJson(accept) && accept.includes('graphql-response');
  res.writeHead(statusForDocumentErrors(accept), {
    'content-type': graphqlResponse
      ? 'application/graphql-response+json; charset=utf-8'
      : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** POST bodies carry an object; GET URLs a JSON string. Anything else counts as none. */
function variablesOf(params: Record<string, unknown> | undefined): Record<string, unknown> {
  const variables = params?.variables;
  if (typeof variables !== 'string') return record(variables) ?? {};
  try {
    return record(JSON.parse(variables)) ?? {};
  } catch {
    return {};
  }
}
