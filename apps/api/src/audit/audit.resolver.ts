import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import {
  isPosition,
  isVerifiable,
  type EventStore,
  type IntegrityProblem,
} from '@okr-ledger/event-store';
import {
  parentsNamed,
  withoutHiddenParents,
  type AuditEntryView,
  type ReadModelQueries,
} from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import type { GraphqlContext } from '../graphql/graphql-context';
import { withCursorCheck } from '../okr/connection-paging';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { isUuid } from '../okr/lookups';
import { EVENT_STORE, READ_MODELS } from '../okr/okr-api.tokens';
import { BadUserInputError } from '../errors/api.errors';
import { LedgerService } from '../ledger/ledger.service';
import { PageArgs, pageRequest } from '../okr/page-info.model';
import { AuditFilterInput } from './audit-filter.input';
import { AuditEntryConnectionModel, AuditEntryModel } from './audit-entry.model';
import { LedgerIntegrityModel } from './ledger-integrity.model';

// The store keeps positions as PostgreSQL xid8 and bigint: wider numbers are no position.
const MAX_MAJOR = 2n ** 64n - 1n;
const MAX_MINOR = 2n ** 63n - 1n;

function isStorablePosition(value: string): boolean {
  if (!isPosition(value)) return false;
  const [major = '', minor = ''] = value.split('-');
  return BigInt(major) <= MAX_MAJOR && BigInt(minor) <= MAX_MINOR;
}

const EMPTY_PAGE = {
  items: [],
  hasNextPage: false,
  hasPreviousPage: false,
  startCursor: null,
  endCursor: null,
  totalCount: 0,
};

@Resolver(() => AuditEntryModel)
export class AuditResolver {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ledger: LedgerService,
  ) {}

  @Query(() => AuditEntryConnectionModel, {
    description:
      'Every recorded change, oldest first: who, when, what (each field before and after, JSON-encoded), why, and whether the cycle was ACTIVE. A change about an objective shows only when the caller may see that objective now and could as the change left it.',
  })
  async auditTrail(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args() page: PageArgs,
    // No `| null` in the type: the emitted parameter type must name the class, or nothing validates it.
    @Args('filter', { type: () => AuditFilterInput, nullable: true })
    filter?: AuditFilterInput,
  ): Promise<AuditEntryConnectionModel> {
    // Ids that are no UUIDs match nothing; asking SQL would only fail on the column type.
    if ([filter?.aggregateId, filter?.cycleId].some((id) => id && !isUuid(id))) {
      return AuditEntryConnectionModel.from(EMPTY_PAGE);
    }
    // Entries about an objective the caller may not see, then or now, are left out (ADR 0017).
    const visibleTo = await okrLoaders(ctx).scope();
    const result = await withCursorCheck(
      this.readModels.auditTrail.page(
        identity.tenantId,
        { ...filter, visibleTo },
        pageRequest(page),
      ),
    );
    const entries = await this.withoutHiddenParents(
      ctx,
      result.items.map((i) => i.node),
    );
    return AuditEntryConnectionModel.from({
      ...result,
      items: result.items.map((item, i) => ({ ...item, node: entries[i] ?? item.node })),
    });
  }

  /**
   * A shown entry may align its objective under one the caller may not see: that parent shows
   * as null, as in the alignment tree. The parents named on a page are looked up through the
   * request's (batched) loaders: at most two queries a page.
   */
  private async withoutHiddenParents(
    ctx: GraphqlContext,
    entries: readonly AuditEntryView[],
  ): Promise<AuditEntryView[]> {
    const { objectiveIds, keyResultIds } = parentsNamed(entries);
    if (objectiveIds.length + keyResultIds.length === 0) return [...entries];
    const loaders = okrLoaders(ctx).current;
    const shown = async (ids: string[], load: (id: string) => Promise<unknown>) =>
      new Set(
        (await Promise.all(ids.map(async (id) => ((await load(id)) ? id : null)))).filter(
          (id): id is string => id !== null,
        ),
      );
    const [objectives, keyResults] = await Promise.all([
      shown(objectiveIds, (id) => loaders.objective.load(id)),
      shown(keyResultIds, (id) => loaders.keyResult.load(id)),
    ]);
    return entries.map((entry) =>
      withoutHiddenParents(entry, {
        objective: (id) => objectives.has(id),
        keyResult: (id) => keyResults.has(id),
      }),
    );
  }

  @Query(() => LedgerIntegrityModel, {
    description:
      'Checks the hash chains of the organisation’s event log (tamper evidence) and digests it at a position (now by default). The whole log is checked for every caller; a broken link is named only if the caller may see its objective.',
  })
  async ledgerIntegrity(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('upTo', {
      type: () => String,
      nullable: true,
      description:
        'A global position (as in AuditEntry.position or a digest noted earlier): two 20-digit numbers joined by a hyphen, 41 characters.',
    })
    upTo?: string | null,
  ): Promise<LedgerIntegrityModel> {
    if (upTo && !isStorablePosition(upTo)) {
      throw new BadUserInputError([
        {
          path: 'upTo',
          constraint: 'position',
          message:
            'must be a position: two 20-digit numbers joined by a hyphen, as AuditEntry.position',
        },
      ]);
    }
    if (!isVerifiable(this.store)) {
      throw new BadUserInputError([
        {
          path: 'ledgerIntegrity',
          constraint: 'supported',
          message: 'This event store keeps no hash chains (EventStoreDB): nothing to verify here.',
        },
      ]);
    }
    const report = await this.store.verifyIntegrity({
      tenantId: identity.tenantId,
      ...(upTo ? { upTo } : {}),
    });
    // Against the latest signed checkpoint too: a rewritten and re-hashed chain passes
    // verify_chains but no longer gives the signed root.
    const checkpoint = await this.ledger.available?.latestCheckpoint(identity.tenantId);
    const holds = checkpoint ? await this.ledger.available?.holds(checkpoint) : undefined;
    return LedgerIntegrityModel.from(
      report,
      checkpoint && holds !== undefined ? { checkpoint, holds } : null,
      await this.hiddenProblems(ctx, report.problems),
    );
  }

  /**
   * The problems about an objective (or a key result of one) the caller may not see: the
   * verdict and the counts are everyone's, the names of hidden objectives are not (ADR 0017).
   * Problems are rare (tampering), so each is looked up through the request's loaders.
   */
  private async hiddenProblems(
    ctx: GraphqlContext,
    problems: readonly IntegrityProblem[],
  ): Promise<Set<IntegrityProblem>> {
    const loaders = okrLoaders(ctx);
    if (problems.length === 0 || (await loaders.scope()).everything) return new Set();
    const hidden = new Set<IntegrityProblem>();
    for (const problem of problems) {
      const id = problem.streamName.slice(-36);
      const seen = problem.streamName.startsWith('objective-')
        ? await loaders.current.objective.load(id)
        : problem.streamName.startsWith('key-result-')
          ? await loaders.current.keyResult.load(id)
          : true;
      if (!seen) hidden.add(problem);
    }
    return hidden;
  }
}
