import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { Context as WsContext } from 'graphql-ws';
import type { Identity } from '../auth/identity';
import {
  credentialFromConnectionParams,
  credentialFromHeader,
  type PresentedCredential,
} from '../auth/bearer-token';
import { UnauthenticatedError } from '../errors/api.errors';
import { TokenVerifier } from '../auth/token-verifier';
import { DataSourceKeyVerifier } from '../auth/data-source-key.verifier';
import { looksLikeDataSourceKey } from '@okr-ledger/commands';
import { type RequestLoaders, RequestLoadersRegistry } from './request-loaders';

/** The typed `context` every resolver receives (`@Context() ctx: GraphqlContext`). */
export interface GraphqlContext {
  readonly transport: 'http' | 'ws';
  /** The HTTP request, or for subscriptions the WebSocket upgrade request. */
  readonly req: IncomingMessage;
  /** Null for anonymous introspection; the operation guard refuses anything else without one. */
  readonly identity: Identity | null;
  /** A credential was presented and refused; the operation guard raises it. */
  readonly credentialError: Error | null;
  /** Per-request DataLoaders, see request-loaders.ts for how to add one. */
  readonly loaders: RequestLoaders;
}

/** What graphql-ws hands to `context` and the connection hooks (`extra` is `{ socket, request }` with `ws`). */
export type SocketContext = WsContext<Record<string, unknown> | undefined, unknown>;

function upgradeRequest(ctx: SocketContext): IncomingMessage {
  return (ctx.extra as { request: IncomingMessage }).request;
}

/** Builds the per-request context; also authenticates graphql-ws connections. */
@Injectable()
export class GraphqlContextFactory {
  private readonly socketIdentities = new WeakMap<object, Identity>();

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly loaders: RequestLoadersRegistry,
    private readonly dataSourceKeys: DataSourceKeyVerifier,
  ) {}

  /** The GraphQLModule `context` option: one call per HTTP request or per subscription. */
  readonly create = async (
    arg: { req: IncomingMessage } | SocketContext,
  ): Promise<GraphqlContext> => {
    if (isSocketContext(arg)) {
      const identity = this.socketIdentities.get(arg) ?? null;
      return {
        transport: 'ws',
        req: upgradeRequest(arg),
        identity,
        credentialError: identity ? null : new UnauthenticatedError(),
        loaders: this.loaders.create({ identity, transport: 'ws' }),
      };
    }
    const { identity, error } = await this.authenticate(
      credentialFromHeader(arg.req.headers.authorization),
    );
    return {
      transport: 'http',
      req: arg.req,
      identity,
      credentialError: error,
      loaders: this.loaders.create({ identity, transport: 'http' }),
    };
  };

  /** graphql-ws `onConnect`: a connection without a valid token is closed (4403). */
  readonly authenticateSocket = async (ctx: SocketContext): Promise<boolean> => {
    const { identity } = await this.authenticate(
      credentialFromConnectionParams(ctx.connectionParams),
    );
    if (!identity) return false;
    this.socketIdentities.set(ctx, identity);
    return true;
  };

  identityOfSocket(ctx: SocketContext): Identity | null {
    return this.socketIdentities.get(ctx) ?? null;
  }

  private async authenticate(
    credential: PresentedCredential,
  ): Promise<{ identity: Identity | null; error: Error | null }> {
    switch (credential.kind) {
      case 'none':
        return { identity: null, error: null };
      case 'malformed':
        return { identity: null, error: new UnauthenticatedError(credential.reason) };
      case 'token':
        try {
          // A data source's key is not a JWT: it names its source, whose stream says if it holds.
          if (looksLikeDataSourceKey(credential.token)) {
            return { identity: await this.dataSourceKeys.verify(credential.token), error: null };
          }
          return { identity: await this.verifier.verify(credential.token), error: null };
        } catch (error) {
          return {
            identity: null,
            error: error instanceof Error ? error : new Error(String(error)),
          };
        }
    }
  }
}

function isSocketContext(arg: { req: IncomingMessage } | SocketContext): arg is SocketContext {
  return 'extra' in arg && 'subscriptions' in arg;
}
