import { buildSchema, Kind, parse, visit, type DocumentNode } from 'graphql';
import { ApiError } from '../errors/api.errors';
import {
  countAliases,
  DEFAULT_QUERY_LIMITS,
  enforceDocumentLimits,
  enforceSourceLimits,
  measureOperation,
} from './query-limits';

const schema = buildSchema(`
  type Node { id: ID! child: Node children(first: Int): [Node!]! }
  type Query { node: Node }
  type Mutation { touch(name: String): Node }
`);

/** `fragment F<n>` spreads `F<n-1>` twice, so the expanded query doubles n times. */
function doublingFragments(n: number): string {
  let text = 'fragment F0 on Node { id }';
  for (let i = 1; i <= n; i++) {
    text += ` fragment F${i} on Node { a: child { ...F${i - 1} } b: child { ...F${i - 1} } }`;
  }
  return `{ node { ...F${n} } } ${text}`;
}

function selectionsIn(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    enter(node) {
      if (
        node.kind === Kind.FIELD ||
        node.kind === Kind.FRAGMENT_SPREAD ||
        node.kind === Kind.INLINE_FRAGMENT
      ) {
        count++;
      }
    },
  });
  return count;
}

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.extensions;
    throw error;
  }
  return undefined;
}

const operationOf = (document: DocumentNode) => {
  const operation = document.definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation first');
  return operation;
};

describe('measureOperation', () => {
  describe('when fragments spread each other over and over', () => {
    it('walks each fragment once: the work grows with the document, not with the expansion', () => {
      for (const n of [5, 10, 21]) {
        const document = parse(doublingFragments(n));
        const cost = measureOperation(schema, document, operationOf(document), {});
        expect(cost.visits).toBeLessThanOrEqual(selectionsIn(document));
        // The expanded query still costs what it would return: 2^n leaves and their parents.
        expect(cost.depth).toBe(n + 2);
        expect(cost.complexity).toBe(2 ** (n + 1) - 1);
      }
    });
  });

  describe('when a fragment spreads itself (validation refuses that later)', () => {
    it('stops instead of recursing forever', () => {
      const document = parse('{ node { ...Loop } } fragment Loop on Node { child { ...Loop } }');
      expect(measureOperation(schema, document, operationOf(document), {}).depth).toBe(2);
    });
  });
});

describe('enforceSourceLimits', () => {
  describe('when a document has more tokens than the parser is given', () => {
    it('refuses it with QUERY_TOO_LARGE and the limit, reading no more than the limit', () => {
      const query = `{ ${'id '.repeat(DEFAULT_QUERY_LIMITS.maxTokens)}}`;
      expect(codeOf(() => enforceSourceLimits(query))).toEqual({
        code: 'QUERY_TOO_LARGE',
        limit: DEFAULT_QUERY_LIMITS.maxTokens,
        http: { status: 400 },
      });
    });

    it('counts no comments', () => {
      const query = `# ${'x '.repeat(10_000)}\n{ node { id } }`;
      expect(enforceSourceLimits(query)).toEqual({ tokens: 6, nesting: 2 });
    });
  });

  describe('when brackets nest deeper than the parser could recurse', () => {
    it.each([
      ['fields', (n: number) => `${'{ child '.repeat(n)}${'}'.repeat(n)}`],
      ['lists', (n: number) => `{ touch(name: ${'['.repeat(n)}${']'.repeat(n)}) }`],
    ])('refuses 3,000 levels of %s with QUERY_TOO_DEEP, not a stack overflow', (_, build) => {
      expect(codeOf(() => enforceSourceLimits(build(3000)))).toMatchObject({
        code: 'QUERY_TOO_DEEP',
        nestingLimit: DEFAULT_QUERY_LIMITS.maxNesting,
      });
    });

    it('lets the nesting of a 12-level query through', () => {
      expect(enforceSourceLimits(`${'{ child '.repeat(12)}${'}'.repeat(12)}`).nesting).toBe(12);
    });
  });

  describe('when the source does not even lex', () => {
    it('leaves the syntax error to the parser', () => {
      expect(() => enforceSourceLimits('{ node \u0007 }')).not.toThrow();
    });
  });
});

describe('enforceDocumentLimits', () => {
  const check = (query: string, variables = {}) =>
    codeOf(() => enforceDocumentLimits(schema, parse(query), undefined, variables));

  describe('when a document has more aliases than allowed', () => {
    it('refuses 51 with TOO_MANY_ALIASES and accepts 50', () => {
      const aliases = (n: number) =>
        `{ node { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }`;
      expect(check(aliases(50))).toBeUndefined();
      expect(check(aliases(51))).toEqual({
        code: 'TOO_MANY_ALIASES',
        limit: 50,
        aliases: 51,
        http: { status: 400 },
      });
    });

    it('counts the aliases written, inside fragments too', () => {
      expect(countAliases(parse(doublingFragments(3)))).toBe(6);
    });
  });

  describe('when a mutation has many root fields', () => {
    const mutation = (n: number) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `t${i}: touch(name: "x") { id }`).join(' ')} }`;

    it('refuses 11 writes with TOO_MANY_MUTATIONS and accepts 10', () => {
      expect(check(mutation(10))).toBeUndefined();
      expect(check(mutation(11))).toMatchObject({ code: 'TOO_MANY_MUTATIONS', limit: 10 });
    });

    it('counts what executes: response keys through fragments, a repeated one once', () => {
      const ten = Array.from({ length: 10 }, (_, i) => `t${i}: touch { id }`).join(' ');
      const query = `mutation { ...W ...W ... on Mutation { ...W } } fragment W on Mutation { ${ten} }`;
      expect(check(query)).toBeUndefined();
      expect(check(`${query.replace('...W ...W', '...W extra: touch { id }')}`)).toMatchObject({
        code: 'TOO_MANY_MUTATIONS',
        mutations: 11,
      });
    });
  });

  describe('when the operation is too deep or too big', () => {
    it('refuses 21 doubling fragments as too deep before anything else looks at them', () => {
      expect(check(doublingFragments(21))).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 23 });
    });

    it('refuses a wide list with QUERY_TOO_COMPLEX', () => {
      expect(
        check('{ node { children(first: 100) { children(first: 100) { id } } } }'),
      ).toMatchObject({ code: 'QUERY_TOO_COMPLEX', complexity: 10101 });
    });

    it('measures every operation when no name picks one', () => {
      const query = `query A { node { id } } query B { node { ${'child { '.repeat(13)}id${' }'.repeat(13)} } }`;
      expect(check(query)).toMatchObject({ code: 'QUERY_TOO_DEEP' });
    });
  });
});
