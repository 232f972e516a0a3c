import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Controller, Logger, Post, Req, Res } from '@nestjs/common';
import {
  looksLikeDataSourceKey,
  MAX_MEASUREMENTS_PER_BATCH,
  type MeasurementInput,
} from '@okr-ledger/commands';
import { IdempotencyKeyReused } from '@okr-ledger/event-store';
import { GraphQLError } from 'graphql';
import { credentialFromHeader } from '../auth/bearer-token';
import { DataSourceKeyVerifier } from '../auth/data-source-key.verifier';
import { measurementJson, IngestionService } from '../data-sources/ingestion.service';
import {
  ApiError,
  BadUserInputError,
  ERROR_CODES,
  ForbiddenError,
  UnauthenticatedError,
} from '../errors/api.errors';
import { createErrorFormatter } from '../errors/format-error';
import { parseDateTime } from '../graphql/date-time.scalar';

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * `POST /integrations/measurements`: recordMeasurements for systems that cannot speak GraphQL
 * (ADR 0015). JSON `{ "measurements": [{ keyResultId, value, measuredAt, externalId?, note? }] }`,
 * `Authorization: Bearer <data source key>`, optional `Idempotency-Key`. 200 with one result per
 * measurement; errors as GraphQL's `{ "errors": [{ message, extensions: { code } }] }`.
 */
@Controller('integrations')
export class IntegrationsController {
  private readonly logger = new Logger('Integrations');

  constructor(
    private readonly keys: DataSourceKeyVerifier,
    private readonly ingestion: IngestionService,
  ) {}

  @Post('measurements')
  async measurements(
    @Body() body: unknown,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      const credential = credentialFromHeader(req.headers.authorization);
      if (credential.kind === 'none')
        throw new UnauthenticatedError('A data source key is required.');
      if (credential.kind === 'malformed') throw new UnauthenticatedError(credential.reason);
      // A person's token is understood, but this route is for data sources only.
      if (!looksLikeDataSourceKey(credential.token)) {
        throw new ForbiddenError('This route takes a data source key, not a token.');
      }
      const identity = await this.keys.verify(credential.token);
      const idempotencyKey = idempotencyKeyOf(req.headers['idempotency-key']);
      const measurements = measurementsOf(body);
      const result = await this.ingestion.record(identity, measurements, idempotencyKey);
      sendJson(res, 200, { results: result.outcomes.map(measurementJson) });
    } catch (error) {
      this.fail(res, error);
    }
  }

  // The API's one mapping of errors to codes (apps/api/src/errors), so this route answers a lost
  // reply as OUTCOME_UNKNOWN and a store that is down as SERVICE_UNAVAILABLE, as GraphQL does.
  private readonly format = createErrorFormatter(this.logger);

  private fail(res: ServerResponse, error: unknown): void {
    // The key came in a header here, not in an input field.
    const refused =
      error instanceof IdempotencyKeyReused
        ? new BadUserInputError([
            {
              path: 'Idempotency-Key',
              constraint: 'idempotencyKeyReused',
              message: 'This Idempotency-Key was used for another batch.',
            },
          ])
        : error;
    const { message, extensions = {} } = this.format(
      refused instanceof GraphQLError
        ? refused.toJSON()
        : { message: refused instanceof Error ? refused.message : String(refused) },
      refused,
    );
    const stated = (refused instanceof ApiError ? refused.extensions.http : undefined) as
      { status?: number } | undefined;
    const status = stated?.status ?? HTTP_STATUS[String(extensions.code)] ?? 500;
    sendJson(res, status, { errors: [{ message, extensions }] });
  }
}

/** The status of a code without one of its own: 4xx for the caller's mistakes, 5xx for ours. */
const HTTP_STATUS: Readonly<Record<string, number>> = {
  [ERROR_CODES.BAD_USER_INPUT]: 400,
  [ERROR_CODES.UNAUTHENTICATED]: 401,
  [ERROR_CODES.FORBIDDEN]: 403,
  [ERROR_CODES.NOT_FOUND]: 404,
  [ERROR_CODES.CONFLICT]: 409,
  [ERROR_CODES.DOMAIN_RULE]: 422,
  // Sent, reply lost: retry with the same Idempotency-Key.
  [ERROR_CODES.OUTCOME_UNKNOWN]: 502,
  [ERROR_CODES.SERVICE_UNAVAILABLE]: 503,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

function idempotencyKeyOf(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return null;
  if (value.trim() === '' || value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadUserInputError([
      {
        path: 'Idempotency-Key',
        constraint: 'length',
        message: `Idempotency-Key is 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
      },
    ]);
  }
  return value;
}

/**
 * The body's measurements. The batch itself must be a list of 1 to 1,000 objects; what is
 * wrong inside one measurement refuses that one alone (a wrong type reads as an invalid value).
 */
function measurementsOf(body: unknown): MeasurementInput[] {
  const list = (body as { measurements?: unknown } | null)?.measurements;
  if (!Array.isArray(list)) {
    throw new BadUserInputError([
      { path: 'measurements', constraint: 'isArray', message: 'measurements must be a list.' },
    ]);
  }
  if (list.length === 0 || list.length > MAX_MEASUREMENTS_PER_BATCH) {
    throw new BadUserInputError([
      {
        path: 'measurements',
        constraint: list.length === 0 ? 'arrayNotEmpty' : 'arrayMaxSize',
        message: `measurements holds 1 to ${MAX_MEASUREMENTS_PER_BATCH} entries, this one ${list.length}.`,
      },
    ]);
  }
  return list.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new BadUserInputError([
        { path: `measurements[${i}]`, constraint: 'isObject', message: 'must be an object.' },
      ]);
    }
    const m = raw as Record<string, unknown>;
    const measuredAt = typeof m.measuredAt === 'string' ? m.measuredAt : '';
    // Offsets are accepted as over GraphQL's DateTime; the instant is kept in UTC.
    const parsed = parseDateTime(measuredAt);
    return {
      keyResultId: typeof m.keyResultId === 'string' ? m.keyResultId : '',
      value: typeof m.value === 'number' ? m.value : Number.NaN,
      measuredAt: typeof parsed === 'string' ? measuredAt : parsed.toISOString(),
      externalId: typeof m.externalId === 'string' ? m.externalId : null,
      note: typeof m.note === 'string' ? m.note : null,
    };
  });
}
