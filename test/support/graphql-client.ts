import request from 'supertest';
import { DEVELOPMENT_JWT_SECRET } from '@okr-ledger/platform';
import { signHs256 } from './auth-tokens';
import type { GraphqlBody } from './graphql-body';

export interface Caller {
  readonly sub: string;
  readonly org: string;
  readonly roles?: readonly string[];
}

/** A GraphQL-over-HTTP client acting as one caller, with a development token. */
export class GraphqlClient {
  private constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  /** Signs a token for `caller` with the configured (by default the development) secret. */
  static async as(
    url: string,
    caller: Caller,
    secret: string = DEVELOPMENT_JWT_SECRET,
  ): Promise<GraphqlClient> {
    const token = await signHs256(
      { sub: caller.sub, org: caller.org, roles: [...(caller.roles ?? ['ADMIN'])] },
      secret,
    );
    return new GraphqlClient(url, token);
  }

  /** The whole response body, errors included. */
  async send(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlBody> {
    const response = await request(this.url)
      .post('/graphql')
      .set('Authorization', `Bearer ${this.token}`)
      .send({ query, variables });
    if (response.status >= 500) {
      throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as GraphqlBody;
  }

  /** `data`, failing the test with the errors when there are any. */
  // Tests read responses loosely (they assert on them); `any` keeps that terse.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async data<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const body = await this.send(query, variables);
    if (body.errors?.length) {
      throw new Error(`GraphQL errors: ${JSON.stringify(body.errors, null, 2)}`);
    }
    return body.data as T;
  }

  /** The first error of a request that must fail. */
  async error(query: string, variables: Record<string, unknown> = {}) {
    const body = await this.send(query, variables);
    const first = body.errors?.[0];
    if (!first) throw new Error(`Expected an error, got ${JSON.stringify(body.data)}`);
    return { ...first, data: body.data };
  }
}
