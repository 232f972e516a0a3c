/** Layer rules of DESIGN §6: the domain is pure, libs never reach into apps. */
module.exports = {
  forbidden: [
    {
      name: 'okr-domain-is-pure',
      comment: 'libs/okr holds the deciders: no framework, database, I/O or other lib of ours.',
      severity: 'error',
      from: { path: '^libs/okr/' },
      to: {
        pathNot: ['^libs/okr/', '^node_modules/fast-check/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'okr-domain-no-node-io',
      severity: 'error',
      from: { path: '^libs/okr/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(fs|net|http|https|child_process|worker_threads|dgram|pg)$',
      },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'production-code-never-imports-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: { path: '(^test/|\\.spec\\.ts$)' },
    },
    {
      name: 'lib-tests-use-only-the-database-support',
      comment:
        'A lib is tested against PostgreSQL, not through the API: its tests reach test/support ' +
        'for the database only (a database per test file, a TCP proxy that cuts its connections), ' +
        'so they neither load nor depend on apps.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^test/support/', pathNot: '^test/support/(test-database|fault-proxy)\\.ts$' },
    },
    {
      name: 'event-store-knows-no-read-models-or-api',
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/read-models/' },
    },
    {
      name: 'event-store-imports-no-domain',
      comment:
        'The store folds any decider structurally (fold-stream.ts): it knows no aggregate, ' +
        'command handler or read model.',
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/(okr|commands|read-models)/' },
    },
    {
      name: 'projector-imports-no-api',
      comment: 'The projector runs alone (apps/projector): nothing of the GraphQL process.',
      severity: 'error',
      from: { path: '^(apps/projector/|libs/read-models/src/projector/)' },
      to: { path: '^apps/api/' },
    },
    {
      name: 'adapters-only-inside-the-event-store',
      comment:
        'Outside libs/event-store, code reaches the store through its index. The index also ' +
        'exports the adapters (for start-up, tests and benchmarks); eslint refuses those names ' +
        'in libs/commands and libs/read-models, which work through the port only.',
      severity: 'error',
      from: { pathNot: '^libs/event-store/' },
      to: { path: '^libs/event-store/src/(postgres|eventstoredb)/' },
    },
    {
      name: 'api-core-imports-no-area',
      comment:
        'apps/api/src/okr is the core the areas build on (providers, tokens, loaders, paging): ' +
        'imports run app → areas → core, so the core never reaches an area.',
      severity: 'error',
      from: { path: '^apps/api/src/okr/' },
      to: {
        path: '^apps/api/src/(alignment|audit|charts|check-ins|cycles|demo|explorer|health|key-results|ledger|objectives|replay|retro|subscriptions|teams)/',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|node_modules/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
