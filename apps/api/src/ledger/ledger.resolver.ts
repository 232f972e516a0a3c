import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { isPosition } from '@okr-ledger/event-store';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { BadUserInputError, ForbiddenError } from '../errors/api.errors';
import { PageArgs, pageRequest } from '../okr/page-info.model';
import {
  LedgerConsistencyProofModel,
  LedgerInclusionProofModel,
  LedgerPublicKeyModel,
} from './ledger-proof.model';
import { LedgerService } from './ledger.service';
import { SignedCheckpointConnectionModel, SignedCheckpointModel } from './signed-checkpoint.model';

const POSITION_MESSAGE =
  'must be a position: two 20-digit numbers joined by a hyphen, as AuditEntry.position';

@Resolver(() => SignedCheckpointModel)
export class LedgerResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Mutation(() => SignedCheckpointModel, {
    description:
      'Signs the organisation’s log as it is now (size and Merkle root) and keeps the checkpoint. ADMIN or AUDITOR.',
  })
  async takeLedgerCheckpoint(
    @CurrentIdentity() identity: Identity,
  ): Promise<SignedCheckpointModel> {
    if (!identity.roles.some((r) => r === 'ADMIN' || r === 'AUDITOR')) {
      throw new ForbiddenError('Taking a ledger checkpoint needs ADMIN or AUDITOR.');
    }
    const checkpoint = await this.ledger.run('takeLedgerCheckpoint', (l) =>
      l.takeCheckpoint(identity.tenantId, 'requested'),
    );
    return SignedCheckpointModel.from(checkpoint);
  }

  @Query(() => SignedCheckpointConnectionModel, {
    description:
      'The organisation’s signed checkpoints, newest first (taken on request and when a cycle closes).',
  })
  async ledgerCheckpoints(
    @CurrentIdentity() identity: Identity,
    @Args() page: PageArgs,
  ): Promise<SignedCheckpointConnectionModel> {
    const { first } = pageRequest(page);
    const after = page.after ?? null;
    if (after !== null && !/^[1-9]\d{0,17}$/.test(after)) {
      throw new BadUserInputError([
        {
          path: 'after',
          constraint: 'cursor',
          message: 'must be an endCursor of ledgerCheckpoints',
        },
      ]);
    }
    const result = await this.ledger.run('ledgerCheckpoints', (l) =>
      l.checkpoints(identity.tenantId, { first, ...(after ? { after } : {}) }),
    );
    return SignedCheckpointConnectionModel.from(result, after);
  }

  @Query(() => LedgerPublicKeyModel, {
    description: 'The public key that verifies every SignedCheckpoint, and its fingerprint.',
  })
  ledgerPublicKey(): LedgerPublicKeyModel {
    const ledger = this.ledger.get('ledgerPublicKey');
    return Object.assign(new LedgerPublicKeyModel(), {
      pem: ledger.publicKeyPem,
      fingerprint: ledger.fingerprint,
    });
  }

  @Query(() => LedgerInclusionProofModel, {
    description:
      'Proves that the event at a position (an event or audit entry of your organisation) is in the tree of the latest signed checkpoint.',
  })
  async ledgerInclusionProof(
    @CurrentIdentity() identity: Identity,
    @Args('position', {
      type: () => String,
      description: 'A global position, as AuditEntry.position: 41 characters.',
    })
    position: string,
  ): Promise<LedgerInclusionProofModel> {
    if (!isPosition(position)) {
      throw new BadUserInputError([
        { path: 'position', constraint: 'position', message: POSITION_MESSAGE },
      ]);
    }
    const proof = await this.ledger.run('ledgerInclusionProof', (l) =>
      l.inclusionProof(identity.tenantId, position),
    );
    return LedgerInclusionProofModel.from(proof);
  }

  @Query(() => LedgerConsistencyProofModel, {
    description:
      'Proves that the organisation’s checkpoint of `fromSize` events is a prefix of its checkpoint of `toSize` events.',
  })
  async ledgerConsistencyProof(
    @CurrentIdentity() identity: Identity,
    @Args('fromSize', { type: () => Int, description: 'The size of the earlier checkpoint, ≥ 1.' })
    fromSize: number,
    @Args('toSize', {
      type: () => Int,
      description: 'The size of the later checkpoint, ≥ fromSize.',
    })
    toSize: number,
  ): Promise<LedgerConsistencyProofModel> {
    const errors = [];
    if (fromSize < 1) {
      errors.push({ path: 'fromSize', constraint: 'min', message: 'must be at least 1' });
    }
    if (toSize < fromSize) {
      errors.push({ path: 'toSize', constraint: 'min', message: 'must be at least fromSize' });
    }
    if (errors.length > 0) throw new BadUserInputError(errors);
    const proof = await this.ledger.run('ledgerConsistencyProof', (l) =>
      l.consistencyProof(identity.tenantId, fromSize, toSize),
    );
    return LedgerConsistencyProofModel.from(proof);
  }
}
