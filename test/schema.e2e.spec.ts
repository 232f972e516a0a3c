import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { startTestApp, type TestApp } from '@okr-ledger/testing';

const SCHEMA_FILE = join(__dirname, '..', 'apps', 'api', 'schema.graphql');
const HEADER =
  '# Generated from the code-first schema by `npm run schema`; do not edit by hand.\n\n';

/** Every name of DESIGN §4 that clients rely on; renaming one breaks them. */
const CONTRACT = {
  Query: [
    'teams',
    'cycles',
    'cycle',
    'objective',
    'keyResult',
    'objectives',
    'alignmentTree',
    'auditTrail',
    'cycleReplay',
  ],
  Mutation: [
    'createTeam',
    'scheduleCycle',
    'startCycle',
    'closeCycle',
    'setObjective',
    'reviseObjective',
    'alignObjective',
    'archiveObjective',
    'addKeyResult',
    'redefineKeyResult',
    'checkInKeyResult',
    'graduateKeyResult',
    'addInitiative',
    'completeInitiative',
  ],
  Subscription: ['keyResultCheckedIn', 'objectiveChanged'],
  Team: ['id', 'name', 'parent', 'children', 'version'],
  Cycle: ['id', 'name', 'startsAt', 'endsAt', 'status', 'progress', 'objectives', 'version'],
  Objective: [
    'id',
    'cycle',
    'title',
    'description',
    'ownerId',
    'team',
    'parentObjective',
    'parentKeyResult',
    'children',
    'keyResults',
    'progress',
    'health',
    'archived',
    'version',
  ],
  KeyResult: [
    'id',
    'objective',
    'title',
    'ownerId',
    'type',
    'kind',
    'startValue',
    'targetValue',
    'currentValue',
    'unit',
    'weight',
    'progress',
    'confidence',
    'health',
    'dataSourceUrl',
    'healthMetric',
    'checkIns',
    'version',
  ],
  CheckIn: [
    'id',
    'value',
    'confidence',
    'plan',
    'progress',
    'problems',
    'source',
    'actorId',
    'recordedAt',
  ],
  FieldChange: ['field', 'from', 'to'],
  AuditEntry: [
    'id',
    'position',
    'occurredAt',
    'actorId',
    'aggregateType',
    'aggregateId',
    'eventType',
    'changes',
    'reason',
    'source',
    'duringActiveCycle',
  ],
  AlignmentNode: ['objective', 'parentId', 'depth', 'progress'],
  CycleFrame: ['at', 'progress', 'objectives'],
  ObjectiveFrame: ['objectiveId', 'title', 'progress', 'keyResults'],
  KeyResultFrame: ['keyResultId', 'title', 'targetValue', 'currentValue', 'progress', 'confidence'],
  ObjectiveConnection: ['edges', 'pageInfo'],
  CheckInConnection: ['edges', 'pageInfo'],
  AuditEntryConnection: ['edges', 'pageInfo'],
  PageInfo: ['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'],
  AuditFilter: [
    'aggregateId',
    'cycleId',
    'actorId',
    'eventTypes',
    'from',
    'to',
    'duringActiveCycleOnly',
  ],
} as const;

function fieldsOf(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName);
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
    return Object.keys(type.getFields());
  }
  return [];
}

describe('GraphQL schema', () => {
  let testApp: TestApp;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    testApp = await startTestApp();
    schema = lexicographicSortSchema(testApp.app.get(GraphQLSchemaHost).schema);
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when generated from the code', () => {
    it('equals the committed apps/api/schema.graphql (run `npm run schema` after a deliberate change)', async () => {
      const printed = HEADER + printSchema(schema) + '\n';
      if (process.env.UPDATE_SCHEMA === '1') await writeFile(SCHEMA_FILE, printed);
      expect(printed).toBe(await readFile(SCHEMA_FILE, 'utf8'));
    });

    it('holds every type and field of the contract under its name', () => {
      for (const [typeName, fields] of Object.entries(CONTRACT)) {
        expect({ typeName, fields: fieldsOf(schema, typeName) }).toEqual({
          typeName,
          fields: expect.arrayContaining([...fields]),
        });
      }
      const enumValues = (name: string) => {
        const type = schema.getType(name);
        return isEnumType(type) ? type.getValues().map((v) => v.name) : [];
      };
      expect(enumValues('CycleStatus')).toEqual(['ACTIVE', 'CLOSED', 'PLANNING']);
      expect(enumValues('Health')).toEqual([
        'AT_RISK',
        'DONE',
        'NOT_STARTED',
        'OFF_TRACK',
        'ON_TRACK',
      ]);
      expect(enumValues('ReplayInterval')).toEqual(['DAY', 'WEEK']);
      expect(schema.getType('DateTime')).toBeDefined();
    });

    it('describes every type and every field', () => {
      const missing: string[] = [];
      for (const type of Object.values(schema.getTypeMap())) {
        if (
          type.name.startsWith('__') ||
          ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)
        )
          continue;
        // Code-first cannot describe the root types; their fields are described.
        const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
        if (!type.description && !root) missing.push(type.name);
        if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
          for (const field of Object.values(type.getFields())) {
            if (!field.description) missing.push(`${type.name}.${field.name}`);
          }
        }
      }
      expect(missing).toEqual([]);
    });
  });
});
