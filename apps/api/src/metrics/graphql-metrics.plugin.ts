import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestListener,
} from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { Inject } from '@nestjs/common';
import { type GraphQLFormattedError, Kind, type OperationDefinitionNode } from 'graphql';
import type { AppConfig } from '@okr-ledger/platform';
import { APP_CONFIG } from '../app.tokens';
import { OkrMetrics } from './okr-metrics';
import { RequestLog } from './request-log';

// Operation names come from clients: past this many distinct ones, the rest count as "other"
// so that a client inventing names cannot grow the registry without bound.
const MAX_OPERATION_LABELS = 200;
const MAX_LABEL_LENGTH = 80;

/** What a request is called in metrics and logs: its name, else its root fields. */
function operationLabel(
  name: string | null | undefined,
  operation: OperationDefinitionNode | undefined,
): string {
  if (name) return name.slice(0, MAX_LABEL_LENGTH);
  if (!operation) return 'unknown';
  const fields = operation.selectionSet.selections
    .filter((s) => s.kind === Kind.FIELD)
    .map((s) => s.name.value)
    .sort();
  return fields.length > 0 ? fields.join(',').slice(0, MAX_LABEL_LENGTH) : 'anonymous';
}

function firstCode(errors: readonly GraphQLFormattedError[] | undefined): string {
  if (!errors || errors.length === 0) return 'OK';
  const code = errors[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/**
 * Counts and times every GraphQL request over HTTP, and writes its log line when
 * LOG_FORMAT=json. Found by @nestjs/apollo through `@Plugin()`, beside the API's own plugins.
 */
@Plugin()
export class GraphqlMetricsPlugin implements ApolloServerPlugin<BaseContext> {
  private readonly labels = new Set<string>();

  constructor(
    private readonly metrics: OkrMetrics,
    private readonly log: RequestLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  requestDidStart(): Promise<GraphQLRequestListener<BaseContext>> {
    const started = process.hrtime.bigint();
    return Promise.resolve({
      willSendResponse: (context) => {
        this.record(context, Number(process.hrtime.bigint() - started) / 1e9);
        return Promise.resolve();
      },
    });
  }

  private record(context: GraphQLRequestContextWillSendResponse<BaseContext>, seconds: number) {
    const type: string = context.operation?.operation ?? 'unknown';
    const operation = this.bounded(operationLabel(context.operationName, context.operation));
    const { body } = context.response;
    const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
    const code = firstCode(errors);
    const labels = { operation, type };
    this.metrics.requests.inc(labels);
    this.metrics.requestDuration.observe(labels, seconds);
    this.metrics.responses.inc({ ...labels, code });
    if (type === 'mutation') this.metrics.mutationOutcomes.inc({ operation, code });
    if (this.config.logFormat === 'json') {
      this.log.request({
        operation,
        type,
        durationMs: Math.round(seconds * 1e5) / 100,
        code,
        errors: errors?.length ?? 0,
        status: context.response.http.status ?? 200,
      });
    }
  }

  private bounded(label: string): string {
    if (this.labels.has(label)) return label;
    if (this.labels.size >= MAX_OPERATION_LABELS) return 'other';
    this.labels.add(label);
    return label;
  }
}
