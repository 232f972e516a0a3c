import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type { DataSourceView } from '@okr-ledger/read-models';
import { CheckInModel } from '../check-ins/check-in.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@ObjectType('DataSource', {
  description: 'A system that pushes values for some key results, with its own key.',
})
export class DataSourceModel {
  @Field(() => ID, { description: 'The data source id.' })
  id!: string;

  @Field(() => String, { description: 'What it is called.' })
  name!: string;

  @Field(() => String, { description: 'A code such as CRM, ANALYTICS, BILLING or SPREADSHEET.' })
  kind!: string;

  @Field(() => Float, { description: 'How often a value is expected.' })
  expectedIntervalHours!: number;

  @Field(() => Boolean, {
    description:
      'No value for longer than the expected interval (counted from the registration until the first). A revoked source is never stale.',
  })
  stale!: boolean;

  @Field(() => Boolean, { description: 'Its key was revoked: it records nothing any more.' })
  revoked!: boolean;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'The latest measuredAt it sent; null before its first value.',
  })
  lastValueAt!: Date | null;

  @Field(() => DateTimeScalar, { description: 'When it was registered.' })
  registeredAt!: Date;

  @Field(() => Int, { description: 'Number of events in the data source stream.' })
  version!: number;

  keyResultIds!: readonly string[];

  static from(view: DataSourceView): DataSourceModel {
    return Object.assign(new DataSourceModel(), {
      id: view.id,
      name: view.name,
      kind: view.kind,
      expectedIntervalHours: view.expectedIntervalHours,
      stale: view.stale,
      revoked: view.revoked,
      lastValueAt: view.lastValueAt,
      registeredAt: view.registeredAt,
      version: view.version,
      keyResultIds: view.keyResultIds,
    });
  }
}

@ObjectType('RegisteredDataSource', { description: 'A data source with its key, shown once.' })
export class RegisteredDataSourceModel {
  @Field(() => DataSourceModel, { description: 'The data source.' })
  dataSource!: DataSourceModel;

  @Field(() => String, {
    description:
      'The key, shown only now: send it as `Authorization: Bearer <key>`. Only its hash is kept.',
  })
  key!: string;
}

@ObjectType('MeasurementResult', { description: 'What became of one measurement of a batch.' })
export class MeasurementResultModel {
  @Field(() => ID, { description: 'The key result, as sent.' })
  keyResultId!: string;

  @Field(() => DateTimeScalar, { description: 'The instant, as sent.' })
  measuredAt!: Date;

  @Field(() => Boolean, {
    description: 'Accepted (recorded, or the same value for the same instant recorded before).',
  })
  accepted!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it was refused: KEY_RESULT_NOT_LINKED, EXTERNAL_ID_TOO_LONG, NOTE_TOO_LONG, MEASURED_AT_INVALID, MEASURED_IN_FUTURE, VALUE_NOT_FINITE, VALUE_NOT_MILESTONE, CYCLE_CLOSED; null when accepted.',
  })
  reason!: string | null;

  @Field(() => CheckInModel, {
    nullable: true,
    description: 'The check-in that holds the value; null when refused.',
  })
  checkIn!: CheckInModel | null;
}
