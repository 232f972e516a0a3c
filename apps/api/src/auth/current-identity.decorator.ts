import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { UnauthenticatedError } from '../errors/api.errors';
import type { GraphqlContext } from '../graphql/graphql-context';
import type { Identity } from './identity';

/**
 * The caller's identity in a resolver: `@CurrentIdentity() identity: Identity`.
 * The operation guard already refuses anonymous operations; this is the typed access
 * (and a second line of defence should a field be reachable some other way).
 */
export const CurrentIdentity = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Identity => {
    const { identity } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    if (!identity) throw new UnauthenticatedError();
    return identity;
  },
);
