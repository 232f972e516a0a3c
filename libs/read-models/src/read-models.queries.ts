import type { DataSource } from 'typeorm';
import { alignmentQueries } from './okr-tree/alignment.queries';
import { auditTrailQueries } from './audit-trail/audit-trail.queries';
import { auditSignalQueries } from './audit-signals/audit-signals.queries';
import { checkInQueries } from './check-ins/check-ins.queries';
import { cycleQueries } from './okr-tree/cycles.queries';
import { keyResultHistoryQueries } from './key-result-history/key-result-history.queries';
import { keyResultQueries } from './okr-tree/key-results.queries';
import { objectiveQueries } from './okr-tree/objectives.queries';
import type { ReadModelQueries } from './read-models.views';
import type { SqlRunner } from './read-models.paging';
import { teamQueries } from './teams/teams.queries';

/** The read side on PostgreSQL; every query is scoped to its tenant argument. */
export class ReadModels implements ReadModelQueries {
  readonly teams: ReadModelQueries['teams'];
  readonly cycles: ReadModelQueries['cycles'];
  readonly objectives: ReadModelQueries['objectives'];
  readonly keyResults: ReadModelQueries['keyResults'];
  readonly checkIns: ReadModelQueries['checkIns'];
  readonly auditTrail: ReadModelQueries['auditTrail'];
  readonly alignment: ReadModelQueries['alignment'];
  readonly keyResultHistory: ReadModelQueries['keyResultHistory'];
  readonly auditSignals: ReadModelQueries['auditSignals'];

  constructor(dataSource: DataSource | SqlRunner) {
    const sql: SqlRunner = {
      query: <T>(text: string, parameters?: unknown[]) => dataSource.query<T>(text, parameters),
    };
    this.teams = teamQueries(sql);
    this.cycles = cycleQueries(sql);
    this.objectives = objectiveQueries(sql);
    this.keyResults = keyResultQueries(sql);
    this.checkIns = checkInQueries(sql);
    this.auditTrail = auditTrailQueries(sql);
    this.alignment = alignmentQueries(sql);
    this.keyResultHistory = keyResultHistoryQueries(sql);
    this.auditSignals = auditSignalQueries(sql);
  }
}
