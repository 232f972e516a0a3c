import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { AggregateNotFound, DomainRuleViolation, type Viewer } from '@okr-ledger/okr';
import { credentialFromHeader } from '../auth/bearer-token';
import type { Identity } from '../auth/identity';
import { TokenVerifier } from '../auth/token-verifier';
import { ApiError, BadUserInputError, UnauthenticatedError } from '../errors/api.errors';
import { parseDateTime } from '../graphql/date-time.scalar';
import { renderAlignment } from './alignment.chart';
import { renderBurnUp } from './burn-up.chart';
import { ChartsService, type ChartAnswer } from './charts.service';
import { renderKeyResultHistory } from './key-result-history.chart';

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The charts as SVG, rendered here from the reads GraphQL uses. Authenticated and scoped to
 * the token's organisation like GraphQL; `ETag` from the log positions the answer reflects.
 */
@Controller('charts')
export class ChartsController {
  private readonly logger = new Logger('Charts');

  constructor(
    private readonly charts: ChartsService,
    private readonly verifier: TokenVerifier,
  ) {}

  @Get('cycles/:id/burn-up.svg')
  async burnUp(@Param('id') id: string, @Req() req: IncomingMessage, @Res() res: ServerResponse) {
    await this.answer(req, res, `burn-up|${id}`, async (identity) => {
      const answer = await this.charts.burnUp(
        identity.tenantId,
        viewerOf(identity),
        id,
        new Date(),
      );
      return { answer, render: () => renderBurnUp(answer.data) };
    });
  }

  @Get('key-results/:id/history.svg')
  async history(@Param('id') id: string, @Req() req: IncomingMessage, @Res() res: ServerResponse) {
    await this.answer(req, res, `history|${id}`, async (identity) => {
      const answer = await this.charts.keyResultHistory(identity.tenantId, viewerOf(identity), id);
      return { answer, render: () => renderKeyResultHistory(answer.data) };
    });
  }

  @Get('cycles/:id/alignment.svg')
  async alignment(
    @Param('id') id: string,
    @Query('asOf') asOf: unknown,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ) {
    await this.answer(req, res, `alignment|${id}`, async (identity) => {
      const at = asOf === undefined ? null : instant(asOf);
      const answer = await this.charts.alignment(
        identity.tenantId,
        viewerOf(identity),
        id,
        at,
        new Date(),
      );
      return { answer, render: () => renderAlignment(answer.data) };
    });
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    chart: string,
    load: (identity: Identity) => Promise<{
      answer: ChartAnswer<unknown>;
      render: () => string;
    }>,
  ): Promise<void> {
    try {
      const identity = await this.identity(req);
      const { answer, render } = await load(identity);
      // The chart, its id, the organisation and the viewer are part of the tag: no two answers
      // share one (two people may see different objectives in the same chart).
      const etag = `"${createHash('sha256')
        .update(
          [chart, identity.tenantId, identity.actorId, ...identity.roles, ...answer.reflects].join(
            '\n',
          ),
        )
        .digest('base64url')
        .slice(0, 27)}"`;
      const headers = {
        etag,
        'cache-control': 'private, no-cache',
        vary: 'Authorization',
      };
      if (matches(req.headers['if-none-match'], etag)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const body = render();
      res.writeHead(200, {
        ...headers,
        'content-type': 'image/svg+xml; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-content-type-options': 'nosniff',
        // An SVG opened on its own runs no script and loads nothing.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(body);
    } catch (error) {
      this.fail(res, error);
    }
  }

  private async identity(req: IncomingMessage): Promise<Identity> {
    const credential = credentialFromHeader(req.headers.authorization);
    switch (credential.kind) {
      case 'none':
        throw new UnauthenticatedError();
      case 'malformed':
        throw new UnauthenticatedError(credential.reason);
      case 'token':
        return this.verifier.verify(credential.token);
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    let status = 500;
    let code = 'INTERNAL_SERVER_ERROR';
    let message = 'Internal server error';
    let extensions: Record<string, unknown> = {};
    if (error instanceof ApiError) {
      code = error.code;
      status = STATUS_OF_CODE[code] ?? 500;
      message = error.message;
      const { http: _http, ...rest } = error.extensions as Record<string, unknown>;
      extensions = rest;
    } else if (error instanceof AggregateNotFound) {
      [status, code, message] = [404, 'NOT_FOUND', error.message];
    } else if (error instanceof DomainRuleViolation) {
      [status, code, message] = [400, 'BAD_USER_INPUT', error.message];
    } else {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const body = JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }
}

/** Who asks, as the visibility rule of libs/okr takes it. */
function viewerOf(identity: Identity): Viewer {
  return { personId: identity.actorId, roles: identity.roles };
}

/** `asOf` as strictly as the GraphQL DateTime scalar reads it. */
function instant(raw: unknown): Date {
  const parsed = typeof raw === 'string' ? parseDateTime(raw) : 'must be given once';
  if (typeof parsed === 'string') {
    throw new BadUserInputError([{ path: 'asOf', constraint: 'type', message: `asOf ${parsed}` }]);
  }
  return parsed;
}

/** If-None-Match: `*` or a list of tags (weak ones compare equal, as for GET). */
function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
