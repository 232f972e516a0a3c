// Test-only resolvers that provoke each error code, expose the caller's identity and the
// per-request loaders, and offer a recursive type for the query limits. Registered only by
// startProbeApp(), never by the API itself.
import { Module, type OnModuleInit, Injectable } from '@nestjs/common';
import {
  Args,
  Context,
  Field,
  Float,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { WrongExpectedVersion } from '@okr-ledger/event-store';
import { AggregateNotFound, DomainRuleViolation } from '@okr-ledger/okr';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import DataLoader from 'dataloader';
import { CurrentIdentity } from '../../apps/api/src/auth/current-identity.decorator';
import type { Identity } from '../../apps/api/src/auth/identity';
import { ConflictError, ForbiddenError, NotFoundError } from '../../apps/api/src/errors/api.errors';
import type { GraphqlContext } from '../../apps/api/src/graphql/graphql-context';
import { RequestLoadersRegistry } from '../../apps/api/src/graphql/request-loaders';

declare module '../../apps/api/src/graphql/request-loaders' {
  interface RequestLoaders {
    probeEcho: DataLoader<string, string>;
  }
}

@ObjectType()
class ProbeIdentity {
  @Field() actorId!: string;
  @Field() tenantId!: string;
  @Field(() => [String]) roles!: string[];
}

@ObjectType()
class ProbeNode {
  @Field() id!: string;
  @Field(() => ProbeNode, { nullable: true }) child!: ProbeNode | null;
}

@InputType()
class ProbeNestedInput {
  @Field(() => Float)
  @IsNumber()
  @Max(1)
  weight!: number;
}

@InputType()
class ProbeInput {
  @Field()
  @IsString()
  @Length(1, 10)
  title!: string;

  @Field(() => Float)
  @IsNumber()
  @Min(0)
  targetValue!: number;

  @Field(() => ProbeNestedInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProbeNestedInput)
  nested?: ProbeNestedInput;
}

const node = (id: string): ProbeNode => ({ id, child: null });

@Resolver(() => ProbeNode)
class ProbeResolver {
  @Query(() => ProbeIdentity)
  probeWhoAmI(@CurrentIdentity() identity: Identity): ProbeIdentity {
    return { ...identity, roles: [...identity.roles] };
  }

  @Mutation(() => String)
  probeWrite(@Args('input') input: ProbeInput): string {
    return `${input.title}:${input.targetValue}`;
  }

  @Query(() => String)
  probeFail(@Args('kind') kind: string): string {
    switch (kind) {
      case 'domain-rule':
        throw new DomainRuleViolation('CYCLE_CLOSED', undefined, 'The cycle is closed.');
      case 'invalid-value':
        throw new DomainRuleViolation(
          'INVALID_VALUE',
          'input.targetValue',
          'targetValue is not a finite number',
        );
      case 'aggregate-not-found':
        throw new AggregateNotFound('Objective', 'o-404');
      case 'wrong-version':
        throw new WrongExpectedVersion('objective-o-1', 2, 4);
      case 'not-found':
        throw new NotFoundError('Cycle', 'c-404');
      case 'conflict':
        throw new ConflictError(7);
      case 'forbidden':
        throw new ForbiddenError('Only the owner may do this.');
      default:
        throw new Error(`secret internals of ${kind} at /srv/okr/db.ts:42`);
    }
  }

  @Query(() => ProbeNode)
  probeNode(): ProbeNode {
    return node('root');
  }

  /** A list sized by `first`, as connections are; empty, since only its cost matters. */
  @ResolveField(() => [ProbeNode])
  children(@Args('first', { type: () => Int, nullable: true }) _first?: number): ProbeNode[] {
    return [];
  }

  @Query(() => String)
  probeEcho(@Args('key') key: string, @Context() context: GraphqlContext): Promise<string> {
    return context.loaders.probeEcho.load(key);
  }

  @Query(() => Int, { description: 'How many loader batches ran so far.' })
  probeBatches(): number {
    return ProbeLoaders.batches;
  }

  @Subscription(() => String, {
    resolve: (value: string) => value,
  })
  async *probeTicks(@Context() context: GraphqlContext): AsyncGenerator<string> {
    yield `${context.identity?.actorId ?? 'nobody'}@${context.identity?.tenantId ?? 'none'}`;
    yield context.transport;
  }
}

@Injectable()
class ProbeLoaders implements OnModuleInit {
  static batches = 0;
  constructor(private readonly registry: RequestLoadersRegistry) {}

  onModuleInit(): void {
    this.registry.register(
      'probeEcho',
      ({ identity }) =>
        new DataLoader<string, string>(async (keys) => {
          const batch = ++ProbeLoaders.batches;
          return keys.map((k) => `${k}/${identity?.actorId ?? '-'}/batch${batch}`);
        }),
    );
  }
}

@Module({ providers: [ProbeResolver, ProbeLoaders] })
export class ProbeModule {}
