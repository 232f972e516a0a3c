// Runs the TypeScript sources directly (CLI commands, benchmarks, child processes in tests):
// compiles each .ts file with SWC on require and resolves the @okr-ledger/* path aliases.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = {
  '@okr-ledger/okr': 'libs/okr/src',
  '@okr-ledger/event-store': 'libs/event-store/src',
  '@okr-ledger/read-models': 'libs/read-models/src',
  '@okr-ledger/platform': 'libs/platform/src',
  '@okr-ledger/commands': 'libs/commands/src',
  '@okr-ledger/testing': 'test/support',
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  for (const [alias, target] of Object.entries(aliases)) {
    if (request === alias || request.startsWith(`${alias}/`)) {
      const mapped = path.join(root, target, request.slice(alias.length));
      return originalResolve.call(this, mapped, ...rest);
    }
  }
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
