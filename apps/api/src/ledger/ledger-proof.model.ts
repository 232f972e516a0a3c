import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { ConsistencyProof, InclusionProof } from '@okr-ledger/event-store';
import { SignedCheckpointModel } from './signed-checkpoint.model';

@ObjectType('LedgerPublicKey', { description: 'The key that signs the ledger’s checkpoints.' })
export class LedgerPublicKeyModel {
  @Field(() => String, { description: 'Ed25519 public key, PEM (SPKI).' })
  pem!: string;

  @Field(() => String, { description: 'SHA-256 (hex) of the key’s DER: compare out of band.' })
  fingerprint!: string;
}

@ObjectType('LedgerInclusionProof', {
  description:
    'RFC 6962 proof that one event is leaf `leafIndex` of the tree a signed checkpoint signs: ' +
    'hash `leafHash` with `hashes` (nearest sibling first) as RFC 9162 §2.1.3.2 says and compare with `checkpoint.root`.',
})
export class LedgerInclusionProofModel {
  @Field(() => String, { description: 'The event’s global position (as AuditEntry.position).' })
  position!: string;

  @Field(() => String, {
    description: 'SHA-256 (hex) of 0x00 and the event’s canonical encoding (as in events.ndjson).',
  })
  leafHash!: string;

  @Field(() => Int, { description: 'The event’s index in the organisation’s log (from 0).' })
  leafIndex!: number;

  @Field(() => Int, { description: 'The size of the tree it is proven in (`checkpoint.size`).' })
  treeSize!: number;

  @Field(() => [String], { description: 'The sibling hashes (hex), from the leaf up.' })
  hashes!: string[];

  @Field(() => SignedCheckpointModel, { description: 'The checkpoint it is proven against.' })
  checkpoint!: SignedCheckpointModel;

  static from(p: InclusionProof): LedgerInclusionProofModel {
    return Object.assign(new LedgerInclusionProofModel(), {
      position: p.position,
      leafHash: p.leafHash,
      leafIndex: p.leafIndex,
      treeSize: p.treeSize,
      hashes: [...p.hashes],
      checkpoint: SignedCheckpointModel.from(p.checkpoint),
    });
  }
}

@ObjectType('LedgerConsistencyProof', {
  description:
    'RFC 6962 proof that the tree of the earlier checkpoint is a prefix of the later one’s: ' +
    'nothing recorded before `from` was changed, removed or reordered (verify as RFC 9162 §2.1.4.2).',
})
export class LedgerConsistencyProofModel {
  @Field(() => SignedCheckpointModel, { description: 'The earlier checkpoint (`fromSize`).' })
  from!: SignedCheckpointModel;

  @Field(() => SignedCheckpointModel, { description: 'The later checkpoint (`toSize`).' })
  to!: SignedCheckpointModel;

  @Field(() => [String], { description: 'The proof’s hashes (hex), in RFC 6962 order.' })
  hashes!: string[];

  static from(p: ConsistencyProof): LedgerConsistencyProofModel {
    return Object.assign(new LedgerConsistencyProofModel(), {
      from: SignedCheckpointModel.from(p.from),
      to: SignedCheckpointModel.from(p.to),
      hashes: [...p.hashes],
    });
  }
}
