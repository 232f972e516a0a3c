import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type INestApplication,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  type OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ERROR_CODES } from '../errors/api.errors';

const GRAPHQL_PATH = '/graphql';

/**
 * Largest request body, in bytes. The longest allowed input is a check-in with three
 * 5,000-character notes: sent as JSON `\uXXXX` escapes of astral characters that is about
 * 180 KB, and ten such mutations fit a request (the mutation limit). 2 MiB leaves room for
 * that and lets a too-long text reach validation, which names the field, instead of ending
 * as a bare 413.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Call before `listen`/`init`: the JSON body parser with the API's limit. Nest then skips
 * its own (100 KB) parser, which is registered under the same name.
 */
export function configureHttpTransport(app: INestApplication): void {
  (app as NestExpressApplication).useBodyParser('json', { limit: MAX_BODY_BYTES });
}

/** What the body parser (body-parser and raw-body) reports, as far as it matters here. */
interface TransportFailure {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
  readonly charset?: string;
  readonly encoding?: string;
  readonly code?: string;
  readonly message?: string;
}

/**
 * A request that never became a GraphQL request (unreadable body, media type, charset,
 * encoding) as a GraphQL response: `{"errors":[{"message", "extensions":{"code":"BAD_REQUEST"}}]}`
 * with the HTTP status that says what is wrong.
 */
export function describeTransportFailure(error: unknown): { status: number; message: string } {
  const failure: TransportFailure = typeof error === 'object' && error !== null ? error : {};
  const status = failure.status ?? failure.statusCode ?? 500;
  switch (failure.type) {
    case 'entity.too.large':
      return {
        status: 413,
        message: `The request body is larger than ${MAX_BODY_BYTES} bytes, the limit.`,
      };
    case 'charset.unsupported':
      return {
        status: 415,
        message: `The charset ${JSON.stringify(failure.charset ?? '')} is not supported; send JSON in UTF-8.`,
      };
    case 'encoding.unsupported':
      return {
        status: 415,
        message: `The content encoding ${JSON.stringify(failure.encoding ?? '')} is not supported; use gzip, deflate, br or none.`,
      };
    case 'entity.parse.failed':
      return { status: 400, message: 'The request body is not valid JSON.' };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, message: 'The request body ended before its announced length.' };
    default:
      break;
  }
  if (error instanceof SyntaxError) {
    return { status: 400, message: 'The request body is not valid JSON.' };
  }
  if (typeof failure.code === 'string' && failure.code.startsWith('Z_')) {
    return {
      status: 400,
      message: 'The request body could not be decompressed as its Content-Encoding says.',
    };
  }
  if (status >= 400 && status < 500) {
    return { status, message: 'The request body could not be read.' };
  }
  return { status: 500, message: 'The request could not be read.' };
}

function sendGraphqlError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({
    errors: [{ message, extensions: { code: ERROR_CODES.BAD_REQUEST } }],
  });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * POST /graphql takes JSON only. A body in another media type would reach Apollo as "no
 * body" (400); 415 says what is wrong. A body without any Content-Type is refused the same.
 */
@Injectable()
export class GraphqlMediaTypeMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    const essence = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (req.method !== 'POST' || !hasBody || essence === 'application/json') {
      next();
      return;
    }
    sendGraphqlError(
      res,
      415,
      `POST ${GRAPHQL_PATH} takes a JSON body (Content-Type: application/json), not ${JSON.stringify(essence ?? '')}.`,
    );
  }
}

/**
 * Answers transport failures at /graphql in GraphQL's shape. The error handler is an
 * Express one, mounted on the path once the modules are up: it runs before Nest's own
 * (mounted after the init hooks) and sees only errors of requests to /graphql, all of which
 * happen before Apollo (Apollo answers every error of its own).
 */
@Module({})
export class HttpTransportModule implements NestModule, OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(GraphqlMediaTypeMiddleware)
      .forRoutes({ path: GRAPHQL_PATH.slice(1), method: RequestMethod.POST });
  }

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter;
    server.use(
      GRAPHQL_PATH,
      // Express tells error handlers by their four parameters.
      (error: unknown, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
        if (res.headersSent) {
          next(error);
          return;
        }
        const { status, message } = describeTransportFailure(error);
        sendGraphqlError(res, status, message);
      },
    );
  }
}
