import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type { KeyResultKind, KeyResultScoring, KeyResultType } from '@okr-ledger/okr';
import type {
  CycleView,
  InitiativeView,
  KeyResultHistoryPoint,
  KeyResultView,
} from '@okr-ledger/read-models';
import { KeyResultKindEnum, KeyResultScoringEnum, KeyResultTypeEnum } from '../okr/okr-enums.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { AnsweredAt } from '../okr/okr.loaders';

@ObjectType('Initiative', {
  description: 'A task that drives a key result; it never counts toward progress.',
})
export class InitiativeModel {
  @Field(() => ID, { description: 'The initiative id.' })
  id!: string;

  @Field(() => String, { description: 'What is to be done.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Due date (YYYY-MM-DD) or instant, UTC.' })
  dueDate!: string | null;

  @Field(() => Boolean, { description: 'Whether it was completed.' })
  completed!: boolean;

  static from(view: InitiativeView): InitiativeModel {
    return Object.assign(new InitiativeModel(), view);
  }
}

@ObjectType('KeyResultHistoryPoint', {
  description: 'One value or definition change of a key result, as a point of its time series.',
})
export class KeyResultHistoryPointModel {
  @Field(() => DateTimeScalar, { description: 'When the change was recorded.' })
  at!: Date;

  @Field(() => String, { description: 'Global position of the event.' })
  position!: string;

  @Field(() => String, { description: 'The event type, e.g. KeyResultCheckedIn.' })
  eventType!: string;

  @Field(() => Float, {
    description:
      'The current value after the change: the latest measured, so a late value leaves it.',
  })
  currentValue!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'A check-in’s own value; null for a definition change.',
  })
  value!: number | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When a check-in’s value was true (UTC); null for a definition change.',
  })
  measuredAt!: Date | null;

  @Field(() => Float, { description: 'The target value after the change.' })
  targetValue!: number;

  @Field(() => Float, { description: 'The start value after the change.' })
  startValue!: number;

  @Field(() => Float, { description: 'Progress (0..1) after the change.' })
  progress!: number;

  @Field(() => Float, { nullable: true, description: 'Confidence (0..1) after the change.' })
  confidence!: number | null;

  static from(point: KeyResultHistoryPoint): KeyResultHistoryPointModel {
    return Object.assign(new KeyResultHistoryPointModel(), point);
  }
}

@ObjectType('KeyResult', { description: 'A measurable result that tells how an objective goes.' })
export class KeyResultModel {
  @Field(() => ID, { description: 'The key result id.' })
  id!: string;

  @Field(() => String, { description: 'What is measured.' })
  title!: string;

  @Field(() => ID, { nullable: true, description: 'The person accountable for it.' })
  ownerId!: string | null;

  @Field(() => KeyResultTypeEnum, { description: 'How progress follows from the values.' })
  type!: KeyResultType;

  @Field(() => KeyResultKindEnum, { description: 'INPUT, OUTPUT or OUTCOME.' })
  kind!: KeyResultKind;

  @Field(() => KeyResultScoringEnum, {
    description: 'Whether it scores its own value or rolls up its aligned objectives.',
  })
  scoring!: KeyResultScoring;

  @Field(() => Float, { description: 'The value at the start.' })
  startValue!: number;

  @Field(() => Float, { description: 'The value to reach.' })
  targetValue!: number;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When the current value was true (UTC): the latest measuredAt of its check-ins; null before the first.',
  })
  measuredAt!: Date | null;

  @Field(() => Float, { description: 'The last checked-in value (the start value before).' })
  currentValue!: number;

  @Field(() => String, { nullable: true, description: 'Unit of the values, e.g. "%" or "EUR".' })
  unit!: string | null;

  @Field(() => Float, { description: 'Weight in its objective’s progress (1 by default).' })
  weight!: number;

  @Field(() => Float, { description: 'The progress (0..1) it contributes to its objective.' })
  progress!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'The last stated confidence (0..1); never derived from progress.',
  })
  confidence!: number | null;

  @Field(() => String, { nullable: true, description: 'Link to where the value comes from.' })
  dataSourceUrl!: string | null;

  @Field(() => Boolean, {
    description: 'Graduated into a health metric: monitored, no longer scored.',
  })
  healthMetric!: boolean;

  @Field(() => Int, { description: 'How many check-ins were recorded.' })
  checkInCount!: number;

  @Field(() => [InitiativeModel], { description: 'Initiatives that drive it.' })
  initiatives!: InitiativeModel[];

  @Field(() => Int, { description: 'Number of events in the key result stream.' })
  version!: number;

  objectiveId!: string;
  cycleId!: string;
  /** What it was answered at, for its nested fields (ADR 0005, 0014). */
  asOf!: AnsweredAt;
  /**
   * Its cycle, when the resolver that made it had loaded it (Objective.keyResults, when
   * health is asked): health then answers without a lookup. Undefined: not loaded.
   */
  cycleView?: CycleView | null;

  static from(view: KeyResultView, asOf: AnsweredAt = null, cycle?: CycleView | null) {
    // Assigned one by one: a page makes hundreds, and a copy through an object literal
    // doubled the allocations.
    const model = new KeyResultModel();
    model.id = view.id;
    model.title = view.title;
    model.ownerId = view.ownerId;
    model.type = view.type;
    model.kind = view.kind;
    model.scoring = view.scoring;
    model.startValue = view.startValue;
    model.targetValue = view.targetValue;
    model.currentValue = view.currentValue;
    model.measuredAt = view.measuredAt;
    model.unit = view.unit;
    model.weight = view.weight;
    model.progress = view.progress;
    model.confidence = view.confidence;
    model.dataSourceUrl = view.dataSourceUrl;
    model.healthMetric = view.healthMetric;
    model.checkInCount = view.checkInCount;
    model.initiatives = view.initiatives.map((i) => InitiativeModel.from(i));
    model.version = view.version;
    model.objectiveId = view.objectiveId;
    model.cycleId = view.cycleId;
    model.asOf = asOf;
    model.cycleView = cycle;
    return model;
  }
}
