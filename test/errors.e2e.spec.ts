import { Logger } from '@nestjs/common';
import request from 'supertest';
import type { TestApp } from '@okr-ledger/testing';
import { bearer, tokenFor } from './support/auth-tokens';
import { bodyOf, type GraphqlBody } from './support/graphql-body';
import { startProbeApp } from './support/probe-app';

/** No error anywhere in a body may carry a stack or a source path. */
function expectNoStack(body: GraphqlBody): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|\bat .*\.ts:\d+|\/srv\/okr/);
}

describe('Error responses', () => {
  let app: TestApp;
  let headers: { Authorization: string };

  beforeAll(async () => {
    // Development mode on purpose: stacks stay hidden there too.
    app = await startProbeApp({ NODE_ENV: 'development' });
    headers = bearer(await tokenFor(['MEMBER']));
  });
  afterAll(async () => {
    await app.close();
  });

  const send = (body: object) => request(app.url).post('/graphql').set(headers).send(body);
  const fail = (kind: string) => send({ query: `{ probeFail(kind: "${kind}") }` });

  describe('when class-validator refuses an input', () => {
    it('answers BAD_USER_INPUT with the path and constraint of every invalid field', async () => {
      const response = await send({
        query: 'mutation($input: ProbeInput!) { probeWrite(input: $input) }',
        variables: { input: { title: '', targetValue: -1, nested: { weight: 2 } } },
      }).expect(200);
      const [error] = bodyOf(response).errors ?? [];
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error?.path).toEqual(['probeWrite']);
      expect(error?.extensions?.fieldErrors).toEqual([
        { path: 'input.title', constraint: 'isLength', message: expect.any(String) },
        { path: 'input.targetValue', constraint: 'min', message: expect.any(String) },
        { path: 'input.nested.weight', constraint: 'max', message: expect.any(String) },
      ]);
      expectNoStack(bodyOf(response));
    });
  });

  describe('when GraphQL itself cannot coerce the input', () => {
    it('answers a bad variable with 400 BAD_USER_INPUT and the field path', async () => {
      const response = await send({
        query: 'mutation($input: ProbeInput!) { probeWrite(input: $input) }',
        variables: { input: { title: 'x', targetValue: 'lots' } },
      }).expect(400);
      const [error] = bodyOf(response).errors ?? [];
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.fieldErrors).toEqual([
        {
          path: 'input.targetValue',
          constraint: 'type',
          message: expect.stringContaining('Float'),
        },
      ]);
    });

    it('answers a literal argument of the wrong type with 400 BAD_USER_INPUT', async () => {
      const response = await send({
        query: 'mutation { probeWrite(input: { title: "x", targetValue: "lots" }) }',
      }).expect(400);
      expect(bodyOf(response).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED, never 500', async () => {
      const response = await send({ query: '{ probeFail(' }).expect(400);
      expect(bodyOf(response).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    });

    it('answers an unknown field with 400 GRAPHQL_VALIDATION_FAILED', async () => {
      const response = await send({ query: '{ nothingHere }' }).expect(400);
      expect(bodyOf(response).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('when a resolver lets a domain or store error through', () => {
    it.each([
      ['domain-rule', { code: 'DOMAIN_RULE', rule: 'CYCLE_CLOSED' }],
      [
        'invalid-value',
        {
          code: 'BAD_USER_INPUT',
          field: 'input.targetValue',
          fieldErrors: [
            { path: 'input.targetValue', constraint: 'INVALID_VALUE', message: expect.any(String) },
          ],
        },
      ],
      ['aggregate-not-found', { code: 'NOT_FOUND', type: 'Objective', id: 'o-404' }],
      // Revision 4 is the fifth event: the public version is 5.
      ['wrong-version', { code: 'CONFLICT', currentVersion: 5 }],
    ])('maps %s to its code', async (kind, extensions) => {
      const response = await fail(kind).expect(200);
      const body = bodyOf(response);
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions).toEqual(extensions);
      expect(body.errors?.[0]?.path).toEqual(['probeFail']);
    });
  });

  describe('when a resolver throws one of the API error classes', () => {
    it.each([
      ['not-found', { code: 'NOT_FOUND', type: 'Cycle', id: 'c-404' }],
      ['conflict', { code: 'CONFLICT', currentVersion: 7 }],
      ['forbidden', { code: 'FORBIDDEN' }],
    ])('answers %s with its code and no transport details', async (kind, extensions) => {
      const response = await fail(kind).expect(200);
      expect(bodyOf(response).errors?.[0]?.extensions).toEqual(extensions);
    });
  });

  describe('when something unexpected breaks', () => {
    it('answers INTERNAL_SERVER_ERROR with a generic message and an id logged with the stack', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const response = await fail('crash').expect(200);
        const body = bodyOf(response);
        const error = body.errors?.[0];
        expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        const errorId = error?.extensions?.errorId as string;
        expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
        expect(error?.message).toBe(`Internal server error (error id ${errorId}).`);
        expectNoStack(body);
        expect(logged).toHaveBeenCalledWith(
          expect.stringContaining(errorId),
          expect.stringMatching(/secret internals of crash[\s\S]*probe\.module\.ts/),
        );
      } finally {
        logged.mockRestore();
      }
    });
  });
});
