import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  AUDIT_SIGNAL_KINDS,
  BACKDATED_AFTER_HOURS,
  JUMP_MIN_HISTORY,
  JUMP_MIN_SHARE_OF_SPAN,
  JUMP_ROBUST_Z,
  JUMP_WINDOW,
  STALE_CONFIDENCE_AT_LEAST,
  STALE_CONFIDENCE_CHECK_INS,
  type AuditSignalKind,
} from '@okr-ledger/okr';
import type { AuditSignalView } from '@okr-ledger/read-models';
import { DateTimeScalar } from '../graphql/date-time.scalar';

// Built from the domain's list, so the two cannot drift apart.
export const AuditSignalKindEnum = Object.fromEntries(AUDIT_SIGNAL_KINDS.map((k) => [k, k])) as {
  [K in AuditSignalKind]: K;
};

registerEnumType(AuditSignalKindEnum, {
  name: 'AuditSignalKind',
  description:
    'A pattern in a key result’s history that deserves an auditor’s look (thresholds in ADR 0016).',
  valuesMap: {
    MANUAL_OVERRIDE: {
      description:
        'A person checked in a value other than the one the data source feeding the key result last sent (or before it sent any).',
    },
    BACKDATED_VALUE: {
      description: `A value recorded more than ${BACKDATED_AFTER_HOURS} hours after the instant it was true (measuredAt).`,
    },
    CORRECTED_AFTER_CLOSE: {
      description:
        'A value (a late value or a correction) recorded after the key result’s cycle closed.',
    },
    IMPLAUSIBLE_JUMP: {
      description: `A change more than ${JUMP_ROBUST_Z} robust standard deviations (scaled median absolute deviation) from the median of the last ${JUMP_WINDOW} changes, and more than ${JUMP_MIN_SHARE_OF_SPAN * 100}% of |target − start|; judged once ${JUMP_MIN_HISTORY} changes are known.`,
    },
    STALE_CONFIDENCE: {
      description: `Confidence of ${STALE_CONFIDENCE_AT_LEAST} or more ("on track") on ${STALE_CONFIDENCE_CHECK_INS} check-ins in a row with an unchanged value.`,
    },
  },
});

@ObjectType('AuditSignalEvidence', { description: 'An event a signal rests on.' })
export class AuditSignalEvidenceModel {
  @Field(() => String, { description: 'Global position of the event (as AuditEntry.position).' })
  position!: string;

  @Field(() => ID, { description: 'The event id (as AuditEntry.id).' })
  eventId!: string;

  @Field(() => String, { description: 'The event type, e.g. KeyResultCheckedIn.' })
  eventType!: string;
}

@ObjectType('AuditSignal', {
  description:
    'A signal for auditors, computed from the events: it accuses no one, it names the events to read.',
})
export class AuditSignalModel {
  @Field(() => AuditSignalKindEnum, { description: 'What was noticed.' })
  kind!: AuditSignalKind;

  @Field(() => ID, { description: 'The key result it concerns.' })
  keyResultId!: string;

  @Field(() => String, { description: 'What was noticed, in words, with the values involved.' })
  summary!: string;

  @Field(() => DateTimeScalar, { description: 'When the event that raised it was recorded.' })
  detectedAt!: Date;

  @Field(() => String, { description: 'Global position of the event that raised it.' })
  position!: string;

  @Field(() => [AuditSignalEvidenceModel], {
    description:
      'The events it rests on, in log order, the raising one last; `auditTrail(filter: { signals })` lists their entries.',
  })
  restsOn!: AuditSignalEvidenceModel[];

  static from(view: AuditSignalView): AuditSignalModel {
    return Object.assign(new AuditSignalModel(), {
      ...view,
      restsOn: view.restsOn.map((e) => Object.assign(new AuditSignalEvidenceModel(), e)),
    });
  }
}
