import type { EventStore } from '@okr-ledger/event-store';
import type { KeyResultState } from '@okr-ledger/okr';
import { CycleCommands } from './cycle.commands';
import { DataSourceCommands } from './data-source.commands';
import { FoldedStates } from './folded-state.cache';
import { KeyResultCommands } from './key-result.commands';
import { MeasurementCommands } from './measurement.commands';
import { ObjectiveCommands } from './objective.commands';
import { StreamAncestry, type AncestryPort } from './stream-ancestry';
import { TeamCommands } from './team.commands';
import { WriteAccess } from './write-access';

export * from './command-context';
export * from './cycle.commands';
export * from './data-source-key';
export * from './data-source.commands';
export * from './key-result.commands';
export * from './measurement.commands';
export * from './objective.commands';
export * from './okr-upcasters';
export * from './stream-ancestry';
export * from './team.commands';
export * from './write-access';

/** Every command of the OKR domain, each on `handleCommand`: the API and the demo use these. */
export class OkrCommands {
  readonly teams: TeamCommands;
  readonly cycles: CycleCommands;
  readonly objectives: ObjectiveCommands;
  readonly keyResults: KeyResultCommands;
  readonly dataSources: DataSourceCommands;
  readonly measurements: MeasurementCommands;

  /** `clock`: "now" for a check-in's default measuredAt; a simulated quarter passes its own. */
  constructor(
    store: EventStore,
    ancestry: AncestryPort = new StreamAncestry(store),
    clock?: () => Date,
  ) {
    const access = new WriteAccess(store);
    this.teams = new TeamCommands(store, ancestry, access);
    this.cycles = new CycleCommands(store);
    this.objectives = new ObjectiveCommands(store, ancestry, access);
    // One cache of folded key results for the check-ins and ingestion that both write them.
    const keyResults = new FoldedStates<KeyResultState>();
    this.keyResults = new KeyResultCommands(store, access, clock, keyResults);
    this.dataSources = new DataSourceCommands(store);
    this.measurements = new MeasurementCommands(store, keyResults);
  }
}
