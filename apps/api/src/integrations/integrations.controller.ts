import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Controller, Logger, Post, Req, Res } from '@nestjs/common';
import {
  looksLikeDataSourceKey,
  MAX_MEASUREMENTS_PER_BATCH,
  type MeasurementInput,
} from '@okr-ledger/commands';
import { IdempotencyKeyReused } from '@okr-ledger/event-store';
import { DomainRuleViolation } from '@okr-ledger/okr';
import { credentialFromHeader } from '../auth/bearer-token';
import { DataSourceKeyVerifier } from '../auth/data-source-key.verifier';
import { measurementJson, IngestionService } from '../data-sources/ingestion.service';
import {
  ApiError,
  BadUserInputError,
  ForbiddenError,
  UnauthenticatedError,
} from '../errors/api.errors';
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

  private fail(res: ServerResponse, error: unknown): void {
    if (error instanceof IdempotencyKeyReused) {
      return this.fail(
        res,
        new BadUserInputError([
          {
            path: 'Idempotency-Key',
            constraint: 'idempotencyKeyReused',
            message: 'This Idempotency-Key was used for another batch.',
          },
        ]),
      );
    }
    if (error instanceof DomainRuleViolation && error.rule === 'INVALID_VALUE') {
      return this.fail(
        res,
        new BadUserInputError([
          { path: error.field ?? '', constraint: error.rule, message: error.message },
        ]),
      );
    }
    if (error instanceof ApiError) {
      const status =
        (error.extensions.http as { status?: number } | undefined)?.status ??
        (error.code === 'NOT_FOUND' ? 404 : 400);
      const { http: _http, ...extensions } = error.extensions;
      sendJson(res, status, { errors: [{ message: error.message, extensions }] });
      return;
    }
    const id = Math.random().toString(36).slice(2, 10);
    this.logger.error(
      `${id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    sendJson(res, 500, {
      errors: [
        { message: `Internal error (${id}).`, extensions: { code: 'INTERNAL_SERVER_ERROR', id } },
      ],
    });
  }
}

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
