import type { EventStore } from '@okr-ledger/event-store';
import { CycleCommands } from './cycle.commands';
import { KeyResultCommands } from './key-result.commands';
import { ObjectiveCommands } from './objective.commands';
import { StreamAncestry, type AncestryPort } from './stream-ancestry';
import { TeamCommands } from './team.commands';
import { WriteAccess } from './write-access';

export * from './command-context';
export * from './cycle.commands';
export * from './key-result.commands';
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

  constructor(store: EventStore, ancestry: AncestryPort = new StreamAncestry(store)) {
    const access = new WriteAccess(store);
    this.teams = new TeamCommands(store, ancestry, access);
    this.cycles = new CycleCommands(store);
    this.objectives = new ObjectiveCommands(store, ancestry, access);
    this.keyResults = new KeyResultCommands(store, access);
  }
}
