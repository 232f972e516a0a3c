import { createHash, type KeyObject } from 'node:crypto';
import { dataSourceActorId, OkrCommands, type Actor } from '@okr-ledger/commands';
import {
  createPostgresEventStore,
  foldStream,
  PostgresLedger,
  tenantHistory,
  type EventStore,
  type StoredCheckpoint,
} from '@okr-ledger/event-store';
import {
  cycleDecider,
  cycleStream,
  teamStream,
  type CycleState,
  type DataSource,
} from '@okr-ledger/okr';
import {
  DEMO_OBJECTIVES,
  DEMO_TEAMS,
  DEMO_TENANT,
  type DemoCrm,
  type DemoKeyResult,
  type DemoNote,
  type DemoObjective,
} from './demo-quarter.data';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
export const DEMO_WEEKS = 13;

// Any fixed namespace works; this one only keeps demo ids apart from other name-based ids.
const DEMO_NAMESPACE = '5f0c7d1e-2b7a-4c1e-9a39-0d3f2e6b8a41';

/** A UUID v5-style id from a name: the same name gives the same id on every run. */
export function demoId(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(DEMO_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${DEMO_TENANT}:${name}`)
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface DemoQuarter {
  readonly name: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/** The last calendar quarter that ended before `now` (UTC): 90 to 92 days, about 13 weeks. */
export function lastFullQuarter(now: Date): DemoQuarter {
  const year = now.getUTCFullYear();
  const currentStart = Date.UTC(year, Math.floor(now.getUTCMonth() / 3) * 3, 1);
  const startsAt = new Date(currentStart);
  startsAt.setUTCMonth(startsAt.getUTCMonth() - 3);
  return {
    name: `Q${Math.floor(startsAt.getUTCMonth() / 3) + 1} ${startsAt.getUTCFullYear()}`,
    startsAt,
    // The last second of the quarter, so the cycle shows as ending on its last day.
    endsAt: new Date(currentStart - 1000),
  };
}

export interface DemoSummary {
  readonly tenantId: string;
  readonly cycleId: string;
  readonly quarter: DemoQuarter;
  readonly alreadyLoaded: boolean;
  /** The signed checkpoint taken after the close, as the API takes one (null when none was). */
  readonly checkpoint: StoredCheckpoint | null;
  readonly counts: {
    readonly teams: number;
    readonly teamMembers: number;
    readonly objectives: number;
    readonly keyResults: number;
    readonly checkIns: number;
    readonly redefinitions: number;
    readonly initiatives: number;
    /** Data sources registered, and the values they sent through the ingestion path. */
    readonly dataSources: number;
    readonly measurements: number;
    readonly events: number;
  };
}

/** A partly loaded quarter (an earlier run was interrupted): refusing beats duplicating. */
export class DemoPartiallyLoaded extends Error {
  constructor(readonly cycleId: string) {
    super(
      `The demo quarter (cycle ${cycleId}) was partly loaded by an interrupted run. ` +
        'Load it into a fresh database (another OKR_DATA_DIR or DATABASE_URL).',
    );
    this.name = 'DemoPartiallyLoaded';
  }
}

export interface LoadDemoOptions {
  /** Picks the quarter (the last full one before it); the wall clock by default. */
  readonly now?: Date;
  /** Signs a checkpoint including the close, as closeCycle does over GraphQL; none without it. */
  readonly signingKey?: KeyObject;
}

// As long as the API waits for a close to be readable before its checkpoint.
const CLOSE_CHECKPOINT_WAIT_MS = 2000;

/**
 * Loads the demo quarter into `databaseUrl` through the command handlers, on a store whose clock
 * is simulated: each command is recorded at its moment of the quarter, so a replay shows the
 * quarter unfolding week by week. Loading it twice records nothing the second time.
 */
export async function loadDemoQuarter(
  databaseUrl: string,
  options: LoadDemoOptions = {},
): Promise<DemoSummary> {
  const quarter = lastFullQuarter(options.now ?? new Date());
  let simulated = new Date(quarter.startsAt.getTime() - 14 * DAY_MS);
  const store = await createPostgresEventStore(databaseUrl, {
    // The one trusted writer of recorded times: it tells a quarter that did not happen now.
    simulatedClock: () => simulated,
    maxConnections: 4,
  });
  try {
    const loader = new DemoLoader(
      store,
      quarter,
      (at) => {
        // Strictly increasing recorded times keep the replay's order the order of the story.
        simulated = new Date(Math.max(at.getTime(), simulated.getTime() + 1000));
      },
      options.now ?? new Date(),
      () => simulated,
    );
    const { summary, closePosition } = await loader.load();
    if (!options.signingKey || closePosition === null) return summary;
    const checkpoint = await new PostgresLedger(store.pool, options.signingKey).checkpointIncluding(
      DEMO_TENANT,
      closePosition,
      'cycle-closed',
      CLOSE_CHECKPOINT_WAIT_MS,
    );
    return { ...summary, checkpoint };
  } finally {
    await store.close();
  }
}

class DemoLoader {
  private readonly commands: OkrCommands;
  private readonly cycleId: string;
  private readonly counts = {
    teams: 0,
    teamMembers: 0,
    objectives: 0,
    keyResults: 0,
    checkIns: 0,
    redefinitions: 0,
    initiatives: 0,
    dataSources: 0,
    measurements: 0,
    events: 0,
  };
  /** The registered CRM of each key result it feeds, as its key authenticates it. */
  private readonly crms = new Map<string, { crm: DemoCrm; source: DataSource; actor: Actor }>();
  private readonly now: Date;

  constructor(
    private readonly store: EventStore,
    private readonly quarter: DemoQuarter,
    private readonly setClock: (at: Date) => void,
    now: Date,
    /** The simulated instant: a person's check-in is measured when the story types it. */
    clock: () => Date,
  ) {
    this.now = now;
    this.commands = new OkrCommands(store, undefined, clock);
    this.cycleId = demoId(`cycle:${quarter.name}`);
  }

  private actor(actorId: string): Actor {
    return { tenantId: DEMO_TENANT, actorId, source: 'demo' };
  }

  /** Day `day` of the quarter at `hour` UTC; negative days are the planning weeks before it. */
  private at(day: number, hour: number): void {
    this.setClock(new Date(this.quarter.startsAt.getTime() + day * DAY_MS + hour * HOUR_MS));
  }

  private keyResultId(key: string): string {
    return demoId(`${this.quarter.name}:key-result:${key}`);
  }

  private objectiveId(key: string): string {
    return demoId(`${this.quarter.name}:objective:${key}`);
  }

  /** The summary, and the close's position when this run recorded the quarter. */
  async load(): Promise<{ summary: DemoSummary; closePosition: string | null }> {
    const cycle = await this.cycleState();
    if (cycle !== null) {
      if (cycle.status !== 'CLOSED') throw new DemoPartiallyLoaded(this.cycleId);
      return { summary: this.summary(true), closePosition: null };
    }
    await this.createTeams();
    await this.plan();
    for (let week = 1; week <= DEMO_WEEKS; week++) await this.runWeek(week);
    // Closed on its last second: every score of the quarter is frozen from then on.
    this.setClock(this.quarter.endsAt);
    const closed = await this.commands.cycles.close(this.actor('ana'), { cycleId: this.cycleId });
    this.counts.events += 1;
    await this.correctAfterClose();
    return { summary: this.summary(false), closePosition: closed.position };
  }

  private async cycleState(): Promise<CycleState> {
    return (await foldStream(this.store, cycleStream(this.cycleId), DEMO_TENANT, cycleDecider))
      .state;
  }

  /** Teams outlive quarters: an earlier demo quarter may have created them already. */
  private async createTeams(): Promise<void> {
    this.at(-14, 9);
    for (const team of DEMO_TEAMS) {
      const teamId = demoId(`team:${team.key}`);
      const existing = await this.store.readStream(teamStream(teamId));
      if (tenantHistory(existing, DEMO_TENANT).length > 0) continue;
      await this.commands.teams.create(this.actor('ana'), {
        teamId,
        name: team.name,
        parentTeamId: team.parent === null ? null : demoId(`team:${team.parent}`),
      });
      this.counts.teams += 1;
      this.counts.events += 1;
      // Who sees and writes what (ADR 0017): the team's people, recorded as events too.
      for (const member of team.members) {
        await this.commands.teams.addMember(this.actor('ana'), { teamId, ...member });
        this.counts.teamMembers += 1;
        this.counts.events += 1;
      }
    }
  }

  /** Planning: schedule the cycle, set objectives and key results, then start it on day 0. */
  private async plan(): Promise<void> {
    this.at(-10, 9);
    await this.commands.cycles.schedule(this.actor('ana'), {
      cycleId: this.cycleId,
      name: this.quarter.name,
      startsAt: this.quarter.startsAt.toISOString(),
      endsAt: this.quarter.endsAt.toISOString(),
    });
    this.counts.events += 1;
    let day = -7;
    for (const objective of DEMO_OBJECTIVES) {
      this.at(day++, 10);
      await this.setObjective(objective);
      for (const keyResult of objective.keyResults) {
        await this.commands.keyResults.add(this.actor(objective.owner), {
          keyResultId: this.keyResultId(keyResult.key),
          objectiveId: this.objectiveId(objective.key),
          title: keyResult.title,
          type: keyResult.type,
          kind: keyResult.kind,
          startValue: keyResult.startValue,
          targetValue: keyResult.targetValue,
          unit: keyResult.unit,
          ownerId: keyResult.owner,
          dataSourceUrl: keyResult.dataSourceUrl ?? null,
        });
        this.counts.keyResults += 1;
        this.counts.events += 1;
        if (keyResult.crm) await this.registerCrm(keyResult, keyResult.crm);
        for (const initiative of keyResult.initiatives ?? []) {
          await this.commands.keyResults.addInitiative(this.actor(keyResult.owner), {
            keyResultId: this.keyResultId(keyResult.key),
            initiativeId: demoId(`${this.quarter.name}:initiative:${initiative.key}`),
            title: initiative.title,
            dueDate: this.dateOfDay(initiative.dueDay),
          });
          this.counts.initiatives += 1;
          this.counts.events += 1;
        }
      }
    }
    this.at(0, 8);
    await this.commands.cycles.start(this.actor('ana'), { cycleId: this.cycleId });
    this.counts.events += 1;
  }

  private dateOfDay(day: number): string {
    return new Date(this.quarter.startsAt.getTime() + day * DAY_MS).toISOString().slice(0, 10);
  }

  private async setObjective(objective: DemoObjective): Promise<void> {
    const parent = objective.alignedInWeek === undefined ? this.parentOf(objective) : {};
    await this.commands.objectives.set(this.actor(objective.owner), {
      objectiveId: this.objectiveId(objective.key),
      cycleId: this.cycleId,
      title: objective.title,
      description: objective.description,
      ownerId: objective.owner,
      teamId: objective.team === null ? null : demoId(`team:${objective.team}`),
      ...(objective.visibility ? { visibility: objective.visibility } : {}),
      ...parent,
    });
    this.counts.objectives += 1;
    this.counts.events += 1;
  }

  private parentOf(objective: DemoObjective) {
    const parent = objective.parent;
    if (parent === undefined) return {};
    return 'objective' in parent
      ? { parentObjectiveId: this.objectiveId(parent.objective) }
      : { parentKeyResultId: this.keyResultId(parent.keyResult) };
  }

  /** Monday: alignments and redefinitions; Tuesday/Thursday: integrations; Friday: check-ins. */
  private async runWeek(week: number): Promise<void> {
    const monday = 7 * (week - 1);
    for (const objective of DEMO_OBJECTIVES) {
      if (objective.alignedInWeek !== week) continue;
      this.at(monday, 9);
      await this.commands.objectives.align(this.actor(objective.owner), {
        objectiveId: this.objectiveId(objective.key),
        ...this.parentOf(objective),
        reason: 'Aligned once the parent key result was agreed',
      });
      this.counts.events += 1;
    }
    for (const { keyResult } of this.keyResults()) {
      for (const redefinition of keyResult.redefinitions ?? []) {
        if (redefinition.week !== week) continue;
        this.at(monday, 10);
        await this.commands.keyResults.redefine(this.actor(keyResult.owner), {
          keyResultId: this.keyResultId(keyResult.key),
          ...redefinition.changes,
          reason: redefinition.reason,
        });
        this.counts.redefinitions += 1;
        this.counts.events += 1;
      }
      const pushed = keyResult.integration?.[week - 1];
      if (keyResult.crm) {
        await this.pushThroughIngestion(keyResult, week, pushed ?? []);
        continue;
      }
      for (const [i, value] of (pushed ?? []).entries()) {
        this.at(monday + 1 + 2 * i, 6);
        await this.commands.keyResults.checkIn(
          { ...this.actor('crm-sync'), source: 'integration' },
          {
            keyResultId: this.keyResultId(keyResult.key),
            value,
            source: 'INTEGRATION',
            idempotencyKey: `${this.quarter.name}:${keyResult.key}:w${week}:sync${i}`,
          },
        );
        this.counts.checkIns += 1;
        this.counts.events += 1;
      }
    }
    let minute = 0;
    for (const { keyResult } of this.keyResults()) {
      const value = keyResult.weekly[week - 1];
      if (value === null || value === undefined) continue;
      // Friday afternoon, a few minutes apart: the weekly check-in meeting.
      this.setClock(
        new Date(
          this.quarter.startsAt.getTime() +
            (monday + 4) * DAY_MS +
            16 * HOUR_MS +
            minute++ * 60_000,
        ),
      );
      await this.commands.keyResults.checkIn(this.actor(keyResult.owner), {
        keyResultId: this.keyResultId(keyResult.key),
        value,
        confidence: confidenceAt(keyResult.confidence, week),
        ...noteFor(keyResult, week, value),
        source: 'MANUAL',
        idempotencyKey: `${this.quarter.name}:${keyResult.key}:w${week}`,
      });
      this.counts.checkIns += 1;
      this.counts.events += 1;
    }
    for (const { keyResult } of this.keyResults()) {
      const override = keyResult.crm?.override;
      if (override?.week !== week) continue;
      // Right after the meeting: a person types over the CRM's value (a signal for auditors).
      this.setClock(
        new Date(this.quarter.startsAt.getTime() + (monday + 4) * DAY_MS + 17 * HOUR_MS),
      );
      await this.commands.keyResults.checkIn(this.actor(override.person), {
        keyResultId: this.keyResultId(keyResult.key),
        value: override.value,
        confidence: confidenceAt(keyResult.confidence, week),
        plan: keyResult.plan,
        progress: `Week ${week}: ${override.value} k$ with the renewals signed today`,
        problems: override.problems,
        source: 'MANUAL',
        idempotencyKey: `${this.quarter.name}:${keyResult.key}:w${week}:override`,
      });
      this.counts.checkIns += 1;
      this.counts.events += 1;
    }
    for (const { keyResult } of this.keyResults()) {
      for (const initiative of keyResult.initiatives ?? []) {
        if (initiative.completedWeek !== week) continue;
        this.at(monday + 4, 17);
        await this.commands.keyResults.completeInitiative(this.actor(keyResult.owner), {
          keyResultId: this.keyResultId(keyResult.key),
          initiativeId: demoId(`${this.quarter.name}:initiative:${initiative.key}`),
        });
        this.counts.events += 1;
      }
      if (keyResult.graduate?.week === week) {
        this.at(monday + 4, 18);
        await this.commands.keyResults.graduate(this.actor(keyResult.owner), {
          keyResultId: this.keyResultId(keyResult.key),
          reason: keyResult.graduate.reason,
        });
        this.counts.events += 1;
      }
    }
  }

  /** Registers the key result's CRM (its key is shown once: used here, then forgotten). */
  private async registerCrm(keyResult: DemoKeyResult, crm: DemoCrm): Promise<void> {
    const registered = await this.commands.dataSources.register(this.actor('ana'), {
      dataSourceId: demoId(`${this.quarter.name}:data-source:${crm.key}`),
      name: crm.name,
      kind: 'CRM',
      expectedIntervalHours: crm.expectedIntervalHours,
      keyResultIds: [this.keyResultId(keyResult.key)],
    });
    const authenticated = await this.commands.dataSources.authenticate(registered.key ?? '');
    if (!authenticated) throw new Error(`the demo's ${crm.name} key does not authenticate`);
    const { source } = authenticated;
    // As the ingestion route names the sender: the data source itself.
    const actor = {
      tenantId: DEMO_TENANT,
      actorId: dataSourceActorId(source.dataSourceId),
      source: 'integration',
    };
    this.crms.set(keyResult.key, { crm, source, actor });
    this.counts.dataSources += 1;
    this.counts.events += 1;
  }

  /**
   * The week's pushes through the ingestion handler (RecordMeasurements), each measured on its
   * Tuesday or Thursday at 06:00 and recorded then, or `late` hours later, in recording order.
   */
  private async pushThroughIngestion(
    keyResult: DemoKeyResult,
    week: number,
    values: readonly number[],
  ): Promise<void> {
    const feed = this.crms.get(keyResult.key);
    if (!feed) throw new Error(`no CRM registered for ${keyResult.key}`);
    const monday = 7 * (week - 1);
    const friday = this.quarter.startsAt.getTime() + (monday + 4) * DAY_MS + 16 * HOUR_MS;
    const pushes = values.map((value, push) => {
      const measuredAt =
        this.quarter.startsAt.getTime() + (monday + 1 + 2 * push) * DAY_MS + 6 * HOUR_MS;
      const late = feed.crm.late.find((l) => l.week === week && l.push === push);
      const recordedAt = measuredAt + (late?.hours ?? 0) * HOUR_MS;
      // The week's story runs in time order: a late push must still come before Friday's meeting.
      if (recordedAt >= friday) throw new Error(`week ${week} push ${push} arrives after Friday`);
      return { value, push, measuredAt, recordedAt };
    });
    for (const p of [...pushes].sort((a, b) => a.recordedAt - b.recordedAt)) {
      await this.ingest(feed, keyResult, new Date(p.recordedAt), {
        value: p.value,
        measuredAt: new Date(p.measuredAt),
        externalId: `${feed.crm.key}-w${week}-${p.push}`,
        idempotencyKey: `${this.quarter.name}:${keyResult.key}:w${week}:sync${p.push}`,
      });
    }
  }

  private async ingest(
    feed: { source: DataSource; actor: Actor },
    keyResult: DemoKeyResult,
    at: Date,
    m: {
      value: number;
      measuredAt: Date;
      externalId: string;
      idempotencyKey: string;
      note?: string;
    },
  ): Promise<void> {
    this.setClock(at);
    const result = await this.commands.measurements.record(
      feed.actor,
      feed.source,
      {
        measurements: [
          {
            keyResultId: this.keyResultId(keyResult.key),
            value: m.value,
            measuredAt: m.measuredAt.toISOString(),
            externalId: m.externalId,
            note: m.note ?? null,
          },
        ],
        idempotencyKey: m.idempotencyKey,
      },
      at,
    );
    const [outcome] = result.outcomes;
    if (!outcome?.accepted)
      throw new Error(`the demo's measurement was refused: ${outcome?.reason}`);
    this.counts.checkIns += 1;
    this.counts.measurements += 1;
    this.counts.events += 1;
  }

  /**
   * Days after the close the CRM re-sends a week-13 value (its month-end reconciliation): a
   * late value in a CLOSED cycle, accepted as a correction, the frozen score unchanged. Never
   * later than `now`, so a quarter that just ended still loads.
   */
  private async correctAfterClose(): Promise<void> {
    for (const { keyResult } of this.keyResults()) {
      const feed = this.crms.get(keyResult.key);
      if (!feed) continue;
      const { correction } = feed.crm;
      const closedAt = this.quarter.endsAt.getTime();
      const at = Math.max(
        closedAt + 60_000,
        Math.min(closedAt + correction.daysAfterClose * DAY_MS, this.now.getTime() - 60_000),
      );
      const monday = 7 * (DEMO_WEEKS - 1);
      const measuredAt =
        this.quarter.startsAt.getTime() + (monday + 1 + 2 * correction.push) * DAY_MS + 6 * HOUR_MS;
      await this.ingest(feed, keyResult, new Date(at), {
        value: correction.value,
        measuredAt: new Date(measuredAt),
        externalId: `${feed.crm.key}-w${DEMO_WEEKS}-${correction.push}`,
        idempotencyKey: `${this.quarter.name}:${keyResult.key}:correction`,
        note: correction.note,
      });
    }
  }

  private *keyResults(): Generator<{ objective: DemoObjective; keyResult: DemoKeyResult }> {
    for (const objective of DEMO_OBJECTIVES) {
      for (const keyResult of objective.keyResults) yield { objective, keyResult };
    }
  }

  private summary(alreadyLoaded: boolean): DemoSummary {
    return {
      tenantId: DEMO_TENANT,
      cycleId: this.cycleId,
      quarter: this.quarter,
      alreadyLoaded,
      checkpoint: null,
      counts: { ...this.counts },
    };
  }
}

function confidenceAt([first, last]: readonly [number, number], week: number): number {
  return Math.round((first + ((last - first) * (week - 1)) / (DEMO_WEEKS - 1)) * 100) / 100;
}

/** The weekly Plan / Progress / Problems note, from the key result's own words where it has them. */
function noteFor(
  keyResult: DemoKeyResult,
  week: number,
  value: number,
): Required<{
  [K in keyof DemoNote]: string | null;
}> {
  const note = keyResult.notes?.[week] ?? {};
  const unit = keyResult.unit === null ? '' : ` ${keyResult.unit}`;
  // The target of that week: a redefinition may have changed it since the start.
  const target = (keyResult.redefinitions ?? [])
    .filter((r) => r.week <= week && r.changes.targetValue !== undefined)
    .reduce((t, r) => r.changes.targetValue ?? t, keyResult.targetValue);
  return {
    plan: note.plan ?? keyResult.plan,
    progress: note.progress ?? `Week ${week}: ${value}${unit} (target ${target}${unit})`,
    problems: note.problems ?? null,
  };
}
