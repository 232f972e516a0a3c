import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { IntegrityProblem, IntegrityReport, StoredCheckpoint } from '@okr-ledger/event-store';
import { SignedCheckpointModel } from '../ledger/signed-checkpoint.model';

const AGGREGATE_TYPES: Readonly<Record<string, string>> = {
  team: 'Team',
  cycle: 'Cycle',
  objective: 'Objective',
  'key-result': 'KeyResult',
};

@ObjectType('IntegrityProblem', {
  description: 'A link of an aggregate’s hash chain that does not hold.',
})
export class IntegrityProblemModel {
  @Field(() => String, { description: 'Team, Cycle, Objective or KeyResult.' })
  aggregateType!: string;

  @Field(() => ID, { description: 'The aggregate whose history was changed.' })
  aggregateId!: string;

  @Field(() => Int, { description: 'The version (1-based event number) where the chain breaks.' })
  version!: number;

  @Field(() => String, {
    description: 'What does not hold, e.g. `content does not match its hash`.',
  })
  problem!: string;

  static from(problem: IntegrityProblem): IntegrityProblemModel {
    // Stream names are `<category>-<uuid>`; the uuid is the aggregate id.
    const id = problem.streamName.slice(-36);
    const category = problem.streamName.slice(0, -37);
    return Object.assign(new IntegrityProblemModel(), {
      aggregateType: AGGREGATE_TYPES[category] ?? category,
      aggregateId: id,
      version: problem.revision + 1,
      problem: problem.problem,
    });
  }
}

@ObjectType('LedgerIntegrity', {
  description:
    'Tamper evidence for the organisation’s event log: every event is linked to the one before it ' +
    'in its aggregate by a SHA-256 hash, and recorded events cannot be updated or deleted. ' +
    'Note `digest` with `position` (for example when a quarter closes); asking again later with ' +
    '`upTo: position` must give the same digest and no problems.',
})
export class LedgerIntegrityModel {
  @Field(() => Int, { description: 'Events checked (the organisation’s, up to `position`).' })
  checkedEvents!: number;

  @Field(() => Int, { description: 'Aggregates (streams) they belong to.' })
  aggregates!: number;

  @Field(() => String, { description: 'The global position the digest is taken at.' })
  position!: string;

  @Field(() => String, {
    description: 'SHA-256 (hex) over every aggregate’s last link at `position`.',
  })
  digest!: string;

  @Field(() => [IntegrityProblemModel], {
    description:
      'Broken links of aggregates the caller may see; empty when the log is intact (and `hiddenProblems` is 0).',
  })
  problems!: IntegrityProblemModel[];

  @Field(() => Int, {
    description:
      'Broken links of objectives (or their key results) the caller may not see: counted, not named.',
  })
  hiddenProblems!: number;

  @Field(() => SignedCheckpointModel, {
    nullable: true,
    description: 'The latest signed checkpoint of the organisation; null before the first.',
  })
  latestCheckpoint!: SignedCheckpointModel | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether the log still gives the Merkle root `latestCheckpoint` signed (its first `size` events, unchanged and in order); null without a checkpoint.',
  })
  latestCheckpointHolds!: boolean | null;

  /** `hidden`: the problems of `report` the caller may not see, left out of `problems`. */
  static from(
    report: IntegrityReport,
    latest: { checkpoint: StoredCheckpoint; holds: boolean } | null = null,
    hidden: ReadonlySet<IntegrityProblem> = new Set(),
  ): LedgerIntegrityModel {
    return Object.assign(new LedgerIntegrityModel(), {
      checkedEvents: report.checkedEvents,
      aggregates: report.streams,
      position: report.position,
      digest: report.digest,
      problems: report.problems
        .filter((p) => !hidden.has(p))
        .map((p) => IntegrityProblemModel.from(p)),
      hiddenProblems: hidden.size,
      latestCheckpoint: latest ? SignedCheckpointModel.from(latest.checkpoint) : null,
      latestCheckpointHolds: latest ? latest.holds : null,
    });
  }
}
