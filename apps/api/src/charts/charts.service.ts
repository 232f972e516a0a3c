import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@okr-ledger/event-store';
import {
  AT_RISK_RATIO,
  canSee,
  expectedProgress,
  ON_TRACK_RATIO,
  visibilityScope,
  type Viewer,
} from '@okr-ledger/okr';
import type {
  AuditEntryView,
  AuditFilter,
  CycleView,
  ReadModelQueries,
  TimeTravel,
} from '@okr-ledger/read-models';
import { NotFoundError } from '../errors/api.errors';
import { isUuid } from '../okr/lookups';
import { EVENT_STORE, READ_MODELS, TIME_TRAVEL } from '../okr/okr-api.tokens';
import { healthAtReadTime } from '../okr/read-time-health';
import type { AlignmentChartData } from './alignment.chart';
import type { BandEdges, BurnUpData, ChartMarker } from './burn-up.chart';
import { DAY_MS } from './chart-style';
import type { KeyResultHistoryData } from './key-result-history.chart';

/** A chart's data and the log positions it reflects (the ETag is made of them). */
export interface ChartAnswer<T> {
  readonly data: T;
  readonly reflects: readonly string[];
}

/** The most DAY frames a burn-up asks for (time travel refuses more than 400). */
const MAX_DAILY_FRAMES = 366;
const CHANGE_TYPES = ['KeyResultRedefined', 'ObjectiveRevised'] as const;

/**
 * What the charts draw, read through the same ports the GraphQL API reads: time travel for
 * frames and as-of trees, the read models for the cycle, the audit trail and a key result's
 * history. Scores and health come from there and from libs/okr; nothing is computed here.
 * Each chart shows only what its viewer may see, by the rule GraphQL applies (ADR 0017): the
 * objectives then and now, a key result's history when its objective is visible now.
 */
@Injectable()
export class ChartsService {
  constructor(
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async burnUp(
    tenantId: string,
    viewer: Viewer,
    cycleId: string,
    now: Date,
  ): Promise<ChartAnswer<BurnUpData>> {
    const head = await this.store.headPosition();
    const cycle = await this.cycle(tenantId, cycleId);
    const start = cycle.startsAt;
    const end = cycle.endsAt;
    // Until the cycle ends its last frame is "now", so the answer also reflects the minute.
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const to = new Date(Math.max(start.getTime(), Math.min(end.getTime(), minute.getTime())));
    const days = (to.getTime() - start.getTime()) / DAY_MS;
    const frames = await this.timeTravel.cycleReplay(tenantId, cycleId, {
      from: start,
      to,
      every: days < MAX_DAILY_FRAMES ? 'DAY' : 'WEEK',
      viewer,
    });
    const audit = await this.auditEntries(tenantId, {
      cycleId,
      eventTypes: [...CHANGE_TYPES, 'CycleClosed'],
    });
    const titles = new Map<string, string>();
    for (const frame of frames) {
      for (const o of frame.objectives) {
        titles.set(o.objectiveId, o.title);
        for (const k of o.keyResults) titles.set(k.keyResultId, k.title);
      }
    }
    const closed = audit.find((e) => e.eventType === 'CycleClosed' && e.aggregateId === cycleId);
    // A change marker only for what a frame shows the viewer (the titles of visible objectives
    // and their key results): nothing of a hidden objective, not even that it changed.
    const markers = audit
      .filter((e) => e.eventType !== 'CycleClosed' && titles.has(e.aggregateId))
      .filter((e) => e.occurredAt >= start && e.occurredAt <= end)
      .map((e) => marker(e, titles.get(e.aggregateId) ?? ''));
    const instants = [...frames.map((f) => f.at), ...(to < end ? [end] : [])];
    const expected = instants.map((at) => bandEdges(cycle, at));
    return {
      data: {
        cycle: {
          id: cycle.id,
          name: cycle.name,
          startsAt: start,
          endsAt: end,
          closedAt: closed?.occurredAt ?? null,
        },
        frames,
        expected,
        markers,
      },
      reflects: [head, lastPosition(audit), to < end ? minute.toISOString() : 'ended'],
    };
  }

  async keyResultHistory(
    tenantId: string,
    viewer: Viewer,
    keyResultId: string,
  ): Promise<ChartAnswer<KeyResultHistoryData>> {
    if (!isUuid(keyResultId)) throw new NotFoundError('KeyResult', keyResultId);
    const [keyResult] = await this.readModels.keyResults.byIds(tenantId, [keyResultId]);
    if (!keyResult) throw new NotFoundError('KeyResult', keyResultId);
    // A key result of an objective the viewer may not see is unknown, as over GraphQL.
    const [objective] = await this.readModels.objectives.byIds(tenantId, [keyResult.objectiveId]);
    const teams = await this.readModels.teams.memberships(tenantId, viewer.personId);
    if (!objective || !canSee(visibilityScope(viewer, teams), objective)) {
      throw new NotFoundError('KeyResult', keyResultId);
    }
    const [cycle] = await this.readModels.cycles.byIds(tenantId, [keyResult.cycleId]);
    const series = await this.readModels.keyResultHistory.series(tenantId, keyResultId);
    const checkIns = await this.allCheckIns(tenantId, keyResultId);
    const redefinitions = await this.auditEntries(tenantId, {
      aggregateId: keyResultId,
      eventTypes: ['KeyResultRedefined'],
    });
    const times = [
      ...series.map((p) => p.at.getTime()),
      ...checkIns.map((c) => c.recordedAt.getTime()),
    ];
    const from = new Date(Math.min(cycle?.startsAt.getTime() ?? Infinity, ...times));
    const to = new Date(Math.max(cycle?.endsAt.getTime() ?? -Infinity, ...times));
    return {
      data: {
        keyResult: { id: keyResult.id, title: keyResult.title, unit: keyResult.unit },
        from: Number.isFinite(from.getTime()) ? from : new Date(0),
        to: Number.isFinite(to.getTime()) ? to : new Date(0),
        points: series.map((p) => ({
          at: p.at,
          eventType: p.eventType,
          value: p.currentValue,
          target: p.targetValue,
        })),
        checkIns: checkIns
          .map((c) => ({
            at: c.recordedAt,
            value: c.value,
            confidence: c.confidence,
            source: c.source,
            actorId: c.actorId,
          }))
          .sort((a, b) => a.at.getTime() - b.at.getTime()),
        markers: redefinitions.map((e) => marker(e, keyResult.title)),
      },
      // The read models' own positions: what this answer reflects even while they lag.
      reflects: [
        series.at(-1)?.position ?? 'none',
        lastPosition(redefinitions),
        String(keyResult.version),
      ],
    };
  }

  /** As of `asOf`, or of now (to the minute) when it is null. */
  async alignment(
    tenantId: string,
    viewer: Viewer,
    cycleId: string,
    asked: Date | null,
    now: Date,
  ): Promise<ChartAnswer<AlignmentChartData>> {
    const head = await this.store.headPosition();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const asOf = asked ?? minute;
    const cycle = await this.cycle(tenantId, cycleId);
    const tree = await this.timeTravel.alignmentTree(tenantId, cycleId, asOf, viewer);
    // The nodes' objectives as of the instant, as GraphQL's `alignmentTree { objective }` reads them.
    const lookups = this.timeTravel.queriesAsOf(tenantId, asOf, viewer);
    const objectives = new Map(
      (
        await lookups.objectives.byIds(
          tenantId,
          tree.map((n) => n.objectiveId),
        )
      ).map((o) => [o.id, o]),
    );
    const [cycleThen] = await lookups.cycles.byIds(tenantId, [cycleId]);
    const nodes = tree.map((n) => {
      const objective = objectives.get(n.objectiveId);
      return {
        objectiveId: n.objectiveId,
        parentId: n.parentId,
        depth: n.depth,
        title: objective?.title ?? n.objectiveId,
        progress: n.progress,
        health: healthAtReadTime(
          n.progress,
          objective?.checkedIn ?? false,
          cycleThen ?? null,
          asOf,
        ),
      };
    });
    // Health as of now, or of an instant still to come, changes as time passes: the minute counts.
    const moving = asOf.getTime() >= minute.getTime();
    return {
      data: { cycle: { id: cycle.id, name: cycle.name }, asOf, nodes },
      reflects: [head, asOf.toISOString(), moving ? minute.toISOString() : 'past'],
    };
  }

  /** The cycle as the API shows it now; another organisation's id does not exist. */
  private async cycle(tenantId: string, cycleId: string): Promise<CycleView> {
    if (!isUuid(cycleId)) throw new NotFoundError('Cycle', cycleId);
    const [cycle] = await this.readModels.cycles.byIds(tenantId, [cycleId]);
    if (!cycle) throw new NotFoundError('Cycle', cycleId);
    return cycle;
  }

  private async auditEntries(tenantId: string, filter: AuditFilter): Promise<AuditEntryView[]> {
    const entries: AuditEntryView[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.readModels.auditTrail.page(tenantId, filter, { first: 100, after });
      entries.push(...page.items.map((i) => i.node));
      if (!page.hasNextPage || page.endCursor === null) return entries;
      after = page.endCursor;
    }
  }

  private async allCheckIns(tenantId: string, keyResultId: string) {
    const checkIns = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.readModels.checkIns.page(tenantId, keyResultId, {
        first: 100,
        after,
      });
      checkIns.push(...page.items.map((i) => i.node));
      if (!page.hasNextPage || page.endCursor === null) return checkIns;
      after = page.endCursor;
    }
  }
}

function marker(entry: AuditEntryView, subject: string): ChartMarker {
  return {
    at: entry.occurredAt,
    kind: entry.eventType === 'ObjectiveRevised' ? 'revision' : 'redefinition',
    aggregateId: entry.aggregateId,
    subject,
    reason: entry.reason,
    actorId: entry.actorId,
  };
}

function bandEdges(cycle: CycleView, at: Date): BandEdges {
  const expected = expectedProgress(
    cycle.startsAt.toISOString(),
    cycle.endsAt.toISOString(),
    at.toISOString(),
  );
  return {
    at,
    expected,
    onTrackFrom: ON_TRACK_RATIO * expected,
    atRiskFrom: AT_RISK_RATIO * expected,
  };
}

function lastPosition(entries: readonly AuditEntryView[]): string {
  return entries.at(-1)?.position ?? 'none';
}
