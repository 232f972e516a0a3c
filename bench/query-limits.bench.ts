/**
 * What refusing a hostile document costs: the query-limit checks against the walk they
 * replaced (which measured a fragment again at every spread), side by side in one run.
 *
 * Run: node -r ./scripts/register-ts.cjs bench/query-limits.bench.ts
 * Writes bench/results/query-limits.{json,md}.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildSchema,
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import {
  DEFAULT_QUERY_LIMITS,
  enforceDocumentLimits,
  enforceSourceLimits,
  measureOperation,
} from '../apps/api/src/graphql/query-limits';

function doublingFragments(n: number): string {
  let text = 'fragment F0 on Team { id }';
  for (let i = 1; i <= n; i++) {
    text += ` fragment F${i} on Team { a: parent { ...F${i - 1} } b: parent { ...F${i - 1} } }`;
  }
  return `{ teams { ...F${n} } } ${text}`;
}

/** The earlier walk, reduced to its shape: each spread walks its fragment again. */
function perSpreadDepth(schema: GraphQLSchema, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>): number => {
    let depth = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const field =
          isObjectType(parent) || isInterfaceType(parent)
            ? parent.getFields()[s.name.value]
            : undefined;
        const child = field && getNamedType(field.type);
        const below =
          s.selectionSet && child && isCompositeType(child) ? walk(s.selectionSet, child, seen) : 0;
        depth = Math.max(depth, below + 1);
      } else if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(s.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type) && !seen.has(s.name.value)) {
          depth = Math.max(
            depth,
            walk(fragment.selectionSet, type, new Set([...seen, s.name.value])),
          );
        }
      }
    }
    return depth;
  };
  const operation = document.definitions[0] as OperationDefinitionNode;
  return walk(operation.selectionSet, schema.getQueryType()!, new Set());
}

function time(run: () => unknown): number {
  const start = performance.now();
  try {
    run();
  } catch {
    // A refusal is the expected outcome here; only its cost is measured.
  }
  return performance.now() - start;
}

/** The fastest of five runs: the first ones pay for compiling the code. */
function best(run: () => unknown): number {
  return Math.min(...Array.from({ length: 5 }, () => time(run)));
}

async function main(): Promise<void> {
  const schema = buildSchema(await readFile(join(__dirname, '../apps/api/schema.graphql'), 'utf8'));
  const rows: {
    n: number;
    bytes: number;
    perSpreadMs: number | null;
    oncePerFragmentMs: number;
    visits: number;
  }[] = [];
  for (const n of [10, 12, 14, 16, 18, 21]) {
    const query = doublingFragments(n);
    const document = parse(query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    // The earlier walk doubles with n: 2^21 is tens of seconds, so it stops at 18.
    const perSpreadMs = n <= 18 ? time(() => perSpreadDepth(schema, document)) : null;
    let visits = 0;
    const oncePerFragmentMs = best(() => {
      visits = measureOperation(schema, document, operation, {}).visits;
    });
    rows.push({ n, bytes: query.length, perSpreadMs, oncePerFragmentMs, visits });
  }
  const pipeline = (query: string) =>
    best(() => {
      enforceSourceLimits(query);
      enforceDocumentLimits(
        schema,
        parse(query, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens }),
        undefined,
        {},
      );
    });
  const refusals = {
    doublingFragments21Ms: pipeline(doublingFragments(21)),
    tokensOverLimitMs: pipeline(`{ teams { ${'id '.repeat(100_000)}} }`),
    nesting3000Ms: pipeline(`{ teams { ${'parent { '.repeat(3000)}id${' }'.repeat(3000)} } }`),
  };
  const result = { date: new Date().toISOString(), node: process.version, rows, refusals };
  const dir = join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'query-limits.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# Query limits: cost of measuring doubling fragments',
    '',
    `${result.date}, Node ${result.node}. One process; the earlier per-spread walk (one run each) against the once-per-fragment one (fastest of five).`,
    '',
    '| fragments | query bytes | per spread (before) ms | once per fragment (now) ms | selections walked |',
    '| --------- | ----------- | ---------------------- | -------------------------- | ----------------- |',
    ...rows.map(
      (r) =>
        `| ${r.n} | ${r.bytes} | ${r.perSpreadMs === null ? 'not run' : r.perSpreadMs.toFixed(1)} | ${r.oncePerFragmentMs.toFixed(2)} | ${r.visits} |`,
    ),
    '',
    `Whole refusal (token scan, parse, limits): 21 doubling fragments ${refusals.doublingFragments21Ms.toFixed(2)} ms, 300,000 tokens ${refusals.tokensOverLimitMs.toFixed(2)} ms, 3,000 levels of nesting ${refusals.nesting3000Ms.toFixed(2)} ms.`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'query-limits.md'), md);
  process.stdout.write(md);
}

void main();
