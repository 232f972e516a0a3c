// Runs the TypeScript benchmarks without a build: compiles .ts on require with @swc/core and
// resolves the tsconfig path aliases (@okr-ledger/*), like the jest setup does.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = {
  '@okr-ledger/testing': 'test/support',
  '@okr-ledger/okr': 'libs/okr/src',
  '@okr-ledger/event-store': 'libs/event-store/src',
  '@okr-ledger/read-models': 'libs/read-models/src',
  '@okr-ledger/platform': 'libs/platform/src',
  '@okr-ledger/commands': 'libs/commands/src',
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [alias, target] of Object.entries(aliases)) {
    if (request === alias || request.startsWith(`${alias}/`)) {
      request = path.join(root, target, request.slice(alias.length));
      break;
    }
  }
  return resolve.call(this, request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
