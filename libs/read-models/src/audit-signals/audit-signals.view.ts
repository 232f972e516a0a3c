import type { AuditSignalKind, SignalEvidence } from '@okr-ledger/okr';

/** A signal for auditors on a key result (ADR 0016), as the read model keeps it. */
export interface AuditSignalView {
  readonly kind: AuditSignalKind;
  readonly keyResultId: string;
  /** The event that raised it. */
  readonly position: string;
  readonly detectedAt: Date;
  readonly summary: string;
  /** The events it rests on, in log order, the raising one included. */
  readonly restsOn: readonly SignalEvidence[];
}
