import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { AuditEntryView, Page } from '@okr-ledger/read-models';
import { PageInfoModel } from '../okr/page-info.model';
import type { AuditSignalKind } from '@okr-ledger/okr';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { AuditSignalKindEnum } from './audit-signal.model';

@ObjectType('FieldChange', { description: 'One changed field with its value before and after.' })
export class FieldChangeModel {
  @Field(() => String, { description: 'The GraphQL field name, e.g. `targetValue`.' })
  field!: string;

  @Field(() => String, { nullable: true, description: 'The JSON-encoded value before.' })
  from!: string | null;

  @Field(() => String, { nullable: true, description: 'The JSON-encoded value after.' })
  to!: string | null;
}

@ObjectType('AuditEntry', { description: 'One recorded event: who, when, what, why.' })
export class AuditEntryModel {
  @Field(() => ID, { description: 'The event id.' })
  id!: string;

  @Field(() => String, { description: 'Global position of the event (sortable).' })
  position!: string;

  @Field(() => DateTimeScalar, { description: 'When the event was recorded (UTC).' })
  occurredAt!: Date;

  @Field(() => ID, { description: 'Who caused it.' })
  actorId!: string;

  @Field(() => String, { description: 'Team, Cycle, Objective or KeyResult.' })
  aggregateType!: string;

  @Field(() => ID, { description: 'The id of the team, cycle, objective or key result.' })
  aggregateId!: string;

  @Field(() => ID, { nullable: true, description: 'The cycle it belongs to, if any.' })
  cycleId!: string | null;

  @Field(() => String, { description: 'The public event type, e.g. KeyResultRedefined.' })
  eventType!: string;

  @Field(() => [FieldChangeModel], {
    description:
      'The fields it changed, before and after. A check-in that becomes the current value: ' +
      '`currentValue`; a late value (measured before the current one, so not current): ' +
      '`value` (from: the value it corrects, if any) and `measuredAt`.',
  })
  changes!: FieldChangeModel[];

  @Field(() => String, { nullable: true, description: 'The reason given, if any.' })
  reason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the command came from, e.g. graphql.',
  })
  source!: string | null;

  @Field(() => Boolean, {
    description: 'Whether the cycle was ACTIVE when it happened (a mid-quarter change).',
  })
  duringActiveCycle!: boolean;

  @Field(() => [AuditSignalKindEnum], {
    description: 'The kinds of the audit signals that rest on this event; empty for most.',
  })
  signals!: AuditSignalKind[];

  static from(view: AuditEntryView): AuditEntryModel {
    return Object.assign(new AuditEntryModel(), {
      ...view,
      signals: [...view.signals],
      changes: view.changes.map((c) => Object.assign(new FieldChangeModel(), c)),
    });
  }
}

@ObjectType('AuditEntryEdge', { description: 'An audit entry with its cursor.' })
export class AuditEntryEdgeModel {
  @Field(() => String, { description: 'Opaque cursor of this entry.' })
  cursor!: string;

  @Field(() => AuditEntryModel, { description: 'The audit entry.' })
  node!: AuditEntryModel;
}

@ObjectType('AuditEntryConnection', { description: 'A page of the audit trail, oldest first.' })
export class AuditEntryConnectionModel {
  @Field(() => [AuditEntryEdgeModel], { description: 'The entries of this page.' })
  edges!: AuditEntryEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Where this page sits.' })
  pageInfo!: PageInfoModel;

  @Field(() => Int, { description: 'How many entries match the filter.' })
  totalCount!: number;

  static from(page: Page<AuditEntryView>): AuditEntryConnectionModel {
    return Object.assign(new AuditEntryConnectionModel(), {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: AuditEntryModel.from(i.node) })),
      pageInfo: PageInfoModel.from(page),
      totalCount: page.totalCount,
    });
  }
}
