import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { StoredCheckpoint } from '@okr-ledger/event-store';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { PageInfoModel } from '../okr/page-info.model';

@ObjectType('SignedCheckpoint', {
  description:
    'A signed statement that the organisation’s event log held `size` events whose RFC 6962 Merkle tree has `root`. ' +
    'The signed text is the lines `okr-ledger checkpoint v1`, organisation, size, root, position, at (ISO 8601 as given here), each ended by a newline; ' +
    'check `signature` (Ed25519, base64) with `ledgerPublicKey`. Keep it: a later checkpoint must be consistent with it (`ledgerConsistencyProof`).',
})
export class SignedCheckpointModel {
  @Field(() => String, { description: 'The organisation whose log it signs.' })
  organisation!: string;

  @Field(() => Int, { description: 'How many events (leaves) the tree has.' })
  size!: number;

  @Field(() => String, { description: 'Merkle tree hash (SHA-256, hex) of those events.' })
  root!: string;

  @Field(() => String, {
    description: 'The position of the last of them (all zeros for an empty log).',
  })
  position!: string;

  @Field(() => DateTimeScalar, { description: 'When it was signed.' })
  at!: Date;

  @Field(() => String, { description: 'Ed25519 signature (base64) of the signed text.' })
  signature!: string;

  @Field(() => String, {
    description: 'SHA-256 (hex) of the signing public key (SPKI DER), as `ledgerPublicKey`.',
  })
  keyFingerprint!: string;

  @Field(() => String, { description: '`requested` (takeLedgerCheckpoint) or `cycle-closed`.' })
  reason!: string;

  static from(c: StoredCheckpoint): SignedCheckpointModel {
    return Object.assign(new SignedCheckpointModel(), {
      organisation: c.organisation,
      size: c.size,
      root: c.root,
      position: c.position,
      at: new Date(c.at),
      signature: c.signature,
      keyFingerprint: c.keyFingerprint,
      reason: c.reason,
    });
  }
}

@ObjectType('SignedCheckpointEdge', { description: 'A checkpoint and its cursor.' })
export class SignedCheckpointEdgeModel {
  @Field(() => String, { description: 'Pass as `after` to continue after this checkpoint.' })
  cursor!: string;

  @Field(() => SignedCheckpointModel, { description: 'The checkpoint.' })
  node!: SignedCheckpointModel;
}

@ObjectType('SignedCheckpointConnection', {
  description: 'A page of the organisation’s signed checkpoints, newest first.',
})
export class SignedCheckpointConnectionModel {
  @Field(() => [SignedCheckpointEdgeModel], { description: 'The checkpoints of this page.' })
  edges!: SignedCheckpointEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Where this page sits.' })
  pageInfo!: PageInfoModel;

  @Field(() => Int, { description: 'How many checkpoints the organisation has.' })
  totalCount!: number;

  static from(
    page: { items: StoredCheckpoint[]; hasNextPage: boolean; totalCount: number },
    after: string | null,
  ): SignedCheckpointConnectionModel {
    const edges = page.items.map((c) => ({ cursor: c.seq, node: SignedCheckpointModel.from(c) }));
    return Object.assign(new SignedCheckpointConnectionModel(), {
      edges,
      pageInfo: Object.assign(new PageInfoModel(), {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      }),
      totalCount: page.totalCount,
    });
  }
}
