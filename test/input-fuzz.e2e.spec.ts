import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import { Client } from 'pg';
import request from 'supertest';
import {
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  recordedEventCount,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';
import { ERROR_CODES } from '../apps/api/src/errors/api.errors';
import type { GraphqlBody } from './support/graphql-body';

// Requests generated from the committed schema, as a hostile client would write them.
const schema = buildSchema(readFileSync(join(__dirname, '../apps/api/schema.graphql'), 'utf8'));
const SEED = 20261201;
const RUNS = 1000;

const CODES: ReadonlySet<unknown> = new Set([
  ...Object.values(ERROR_CODES).filter((code) => code !== ERROR_CODES.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
]);
// Server internals that must never reach a client: stack frames, PostgreSQL's own phrasing.
const LEAKS =
  /\bat [\w.<>]+ \(|\.(ts|js):\d+|stacktrace|relation "|column "|violates|duplicate key|invalid input syntax|syntax error at or near|node_modules/i;

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u200b\ufeff',
  '😀'.repeat(3000),
  'x'.repeat(6000),
  'é'.repeat(5001),
  '\\',
  '"',
  '{}',
  '$x',
  '../../etc/passwd',
  '1e309',
  '-0',
  'null',
];
const ODD_DATES = [
  '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '0000-01-01T00:00:00Z',
  '+020260-01-01T00:00:00Z',
  '01/02/2026',
  'tomorrow',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00+01:00',
  '2026-06-01T12:00:00.123456789+14:00',
];
const ODD_NUMBERS = [0, -0, -1, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, 0.1, 5e-324, 101];

/** Ids of things that exist, so some requests get past NOT_FOUND into the domain. */
const known: string[] = [];

const oddString = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  oddString,
  fc.array(fc.oneof(fc.integer(), oddString), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), oddString), { maxKeys: 3 }),
);
const idValue = fc.oneof(
  // Read at generation time: `known` is filled once the app is up.
  fc.integer({ min: 0, max: 2 }).map((i) => known[i] ?? 'none'),
  fc.uuid(),
  oddString,
);
const dateValue = fc.oneof(
  fc.constantFrom(...ODD_DATES),
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  oddString,
);

function valueFor(type: GraphQLInputType): fc.Arbitrary<unknown> {
  const inner = getNullableType(type);
  let fitting: fc.Arbitrary<unknown>;
  if (isListType(inner)) {
    fitting = fc.array(valueFor(inner.ofType), { maxLength: 4 });
  } else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    fitting = fc
      .tuple(
        ...fields.map((f) =>
          fc.option(
            valueFor(f.type).map((v) => [f.name, v] as const),
            { freq: 3, nil: undefined },
          ),
        ),
        fc.option(fc.tuple(fc.constant('notAField'), anyJson), { freq: 5, nil: undefined }),
      )
      .map((entries) => Object.fromEntries(entries.filter((e) => e !== undefined)));
  } else if (isEnumType(inner)) {
    fitting = fc.constantFrom(...inner.getValues().map((v) => v.name), 'NOT_A_VALUE', 'on_track');
  } else {
    switch (inner.name) {
      case 'ID':
        fitting = idValue;
        break;
      case 'String':
        fitting = oddString;
        break;
      case 'Int':
        fitting = fc.oneof(fc.integer({ min: -5, max: 150 }), fc.constantFrom(...ODD_NUMBERS));
        break;
      case 'Float':
        fitting = fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constantFrom(...ODD_NUMBERS),
        );
        break;
      case 'Boolean':
        fitting = fc.boolean();
        break;
      case 'DateTime':
        fitting = dateValue;
        break;
      default:
        fitting = anyJson;
    }
  }
  return fc.oneof(
    { weight: 6, arbitrary: fitting },
    { weight: 2, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** A GraphQL literal for a value (enum-typed names unquoted); `undefined` when none exists. */
function literal(value: unknown, type: GraphQLInputType): string | undefined {
  const inner = getNullableType(type);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'string') {
    return isEnumType(inner) && /^[_A-Za-z]\w*$/.test(value) ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const itemType = isListType(inner) ? inner.ofType : inner;
    const items = value.map((v) => literal(v, itemType));
    return items.includes(undefined) ? undefined : `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (!/^[_A-Za-z]\w*$/.test(k)) return undefined;
      const printed = literal(v, fields[k]?.type ?? inner);
      return printed === undefined ? undefined : `${k}: ${printed}`;
    });
    return parts.includes(undefined) ? undefined : `{${parts.join(', ')}}`;
  }
  return undefined;
}

interface Generated {
  readonly operation: 'query' | 'mutation';
  readonly field: string;
  readonly args: readonly string[];
  readonly body: { query: string; variables: Record<string, unknown> };
}

function requestFor(
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
): fc.Arbitrary<Generated> {
  const argArbs = field.args.map((arg: GraphQLArgument) =>
    fc.record({
      // Required arguments are mostly there, optional ones half the time.
      present: isNonNullType(arg.type)
        ? fc.oneof(
            { weight: 9, arbitrary: fc.constant(true) },
            { weight: 1, arbitrary: fc.constant(false) },
          )
        : fc.boolean(),
      asLiteral: fc.boolean(),
      value: valueFor(arg.type),
    }),
  );
  return fc.tuple(...argArbs).map((choices) => {
    const declarations: string[] = [];
    const uses: string[] = [];
    const variables: Record<string, unknown> = {};
    field.args.forEach((arg, i) => {
      const choice = choices[i];
      if (!choice?.present) return;
      const printed = choice.asLiteral ? literal(choice.value, arg.type) : undefined;
      if (printed !== undefined) {
        uses.push(`${arg.name}: ${printed}`);
      } else {
        declarations.push(`$${arg.name}: ${String(arg.type)}`);
        uses.push(`${arg.name}: $${arg.name}`);
        variables[arg.name] = choice.value;
      }
    });
    const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
    const head = declarations.length ? `(${declarations.join(', ')})` : '';
    const call = uses.length ? `(${uses.join(', ')})` : '';
    return {
      operation,
      field: field.name,
      args: field.args.map((a) => a.name),
      body: { query: `${operation}${head} { ${field.name}${call}${selection} }`, variables },
    };
  });
}

/** No 5xx, every error coded, nothing leaked, every BAD_USER_INPUT naming its field. */
function expectWellFormed(response: request.Response): GraphqlBody {
  expect(response.status).toBeLessThan(500);
  const body = response.body as GraphqlBody;
  expect(JSON.stringify(body)).not.toMatch(LEAKS);
  for (const error of body.errors ?? []) {
    expect(CODES).toContain(error.extensions?.code);
    if (error.extensions?.code === ERROR_CODES.BAD_USER_INPUT) {
      const fieldErrors = error.extensions.fieldErrors as { path: string; constraint: string }[];
      expect(fieldErrors.length).toBeGreaterThan(0);
      for (const fieldError of fieldErrors) {
        expect(fieldError.path).toMatch(/^\w/);
        expect(fieldError.constraint).toMatch(/^\w+$/);
      }
    }
  }
  return body;
}

/** GET parameters as a client would put them in the URL: JSON for anything not a string. */
function asSearchParams(sent: unknown): Record<string, string> {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) {
    return { query: String(sent) };
  }
  return Object.fromEntries(
    Object.entries(sent).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
    ]),
  );
}

describe('The API under generated bad input', () => {
  let app: TestApp;
  let client: GraphqlClient;
  let db: Client;

  beforeAll(async () => {
    app = await startTestApp();
    client = await GraphqlClient.as(app.url, { sub: 'fuzz', org: 'acme', roles: ['ADMIN'] });
    db = new Client({ connectionString: app.database.url });
    await db.connect();
    const cycle = await createCycle(client);
    const objective = await createObjective(client, { cycleId: cycle.id });
    const keyResult = await createKeyResult(client, { objectiveId: objective.id });
    known.push(cycle.id, objective.id, keyResult.id);
  });
  afterAll(async () => {
    await db.end();
    await app.close();
  });

  const events = () => recordedEventCount(db);

  describe('when a thousand requests are generated from the committed schema', () => {
    it('answers each with a coded error or data, leaks nothing, and records nothing it refused', async () => {
      const roots = [
        ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((f) =>
          requestFor('query', f),
        ),
        ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) =>
          requestFor('mutation', f),
        ),
      ];
      let refusedWrites = 0;
      let badUserInput = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(...roots), async (generated) => {
          const before = generated.operation === 'mutation' ? await events() : 0;
          const response = await request(app.url)
            .post('/graphql')
            .set('Authorization', `Bearer ${client.token}`)
            .send(generated.body);
          const body = expectWellFormed(response);
          badUserInput += (body.errors ?? []).filter(
            (e) => e.extensions?.code === ERROR_CODES.BAD_USER_INPUT,
          ).length;
          if (generated.operation === 'mutation' && !body.data?.[generated.field]) {
            refusedWrites++;
            expect(await events()).toBe(before);
          }
        }),
        { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 45_000, endOnFailure: true },
      );
      // The generator reaches the interesting paths at all.
      expect(refusedWrites).toBeGreaterThan(50);
      expect(badUserInput).toBeGreaterThan(50);
    }, 90_000);

    it('answers odd request shapes and token soup with coded errors too', async () => {
      const words = [
        '{',
        '}',
        '(',
        ')',
        '[',
        ']',
        '...',
        ':',
        '!',
        '=',
        '$x',
        '@include',
        'query',
        'mutation',
        'subscription',
        'fragment',
        'on',
        'teams',
        'id',
        'createTeam',
        'input',
        'name',
        '"t"',
        '1',
        'null',
        'true',
        '__typename',
        'Team',
        '#',
        '"""',
      ];
      const soup = fc.array(fc.constantFrom(...words), { maxLength: 40 }).map((w) => w.join(' '));
      const params = fc.record(
        { query: fc.oneof(soup, oddString, anyJson), variables: anyJson, operationName: anyJson },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(params, anyJson), fc.boolean(), async (sent, asGet) => {
          const response = asGet
            ? await request(app.url)
                .get('/graphql')
                .query(asSearchParams(sent))
                .set('Authorization', `Bearer ${client.token}`)
            : await request(app.url)
                .post('/graphql')
                .set('Authorization', `Bearer ${client.token}`)
                .set('Content-Type', 'application/json')
                .send(JSON.stringify(sent) ?? 'null');
          expectWellFormed(response);
        }),
        { seed: SEED, numRuns: 400, interruptAfterTimeLimit: 20_000, endOnFailure: true },
      );
    }, 60_000);

    it('stays healthy afterwards', async () => {
      const health = await request(app.url).get('/health');
      expect(health.status).toBe(200);
      expect(await client.data('{ teams { id } }')).toEqual({ teams: expect.any(Array) });
    });
  });
});
