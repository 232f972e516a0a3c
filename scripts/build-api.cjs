// `npm start`'s build: compiles the API's TypeScript (apps/api/src and libs, as
// apps/api/tsconfig.app.json selects) to dist with SWC, file by file, into the layout
// `nest build api` (tsc) emits, so the entry stays dist/apps/api/apps/api/src/main.js.
// Skipped when a stamp of every input (path, size, mtime) matches the last build's.
// No type checking here: `npm test` (tsc --noEmit) and `npm run build` (tsc) do that; this
// only has to be fast (tsc took 8–63 s per start, SWC well under a second).
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist/apps/api');
const stampFile = path.join(outDir, '.build-stamp');
const sourceDirs = ['apps/api/src', 'libs'];
// Changing these changes the output too.
const configFiles = ['scripts/build-api.cjs', 'tsconfig.json', 'package-lock.json'];

function isSource(relative) {
  return (
    relative.endsWith('.ts') &&
    !relative.endsWith('.d.ts') &&
    !relative.endsWith('.spec.ts') &&
    !relative.split(path.sep).includes('testing')
  );
}

function listSources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(relative);
      } else if (isSource(relative)) files.push(relative);
    }
  };
  for (const dir of sourceDirs) walk(dir);
  return files.sort();
}

function stampOf(files) {
  const hash = createHash('sha256');
  for (const file of [...configFiles, ...files]) {
    const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${stat ? `${stat.size}\0${stat.mtimeMs}` : 'missing'}\n`);
  }
  return hash.digest('hex');
}

function swcOptions() {
  // The same path aliases as tsconfig.json; SWC rewrites them to relative requires.
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  return {
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      // Nest's DI and GraphQL code-first read design:type / design:paramtypes.
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: compilerOptions.paths,
    },
    module: { type: 'commonjs' },
  };
}

function build(files, stamp) {
  const { transformFileSync } = require('@swc/core');
  const options = swcOptions();
  // Written beside and swapped in at the end, so that a failed build leaves the previous one
  // and a process starting meanwhile never loads half of a build.
  const staging = `${outDir}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const file of files) {
    const source = path.join(root, file);
    const target = path.join(staging, file.replace(/\.ts$/, '.js'));
    // Source maps point at the sources from where the file will be, not from the staging copy.
    const final = path.join(outDir, file.replace(/\.ts$/, '.js'));
    const { code, map } = transformFileSync(source, {
      ...options,
      filename: source,
      sourceFileName: path.relative(path.dirname(final), source),
    });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    if (map) fs.writeFileSync(`${target}.map`, map);
  }
  fs.writeFileSync(path.join(staging, path.basename(stampFile)), stamp);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
}

function main() {
  const started = process.hrtime.bigint();
  const files = listSources();
  const stamp = stampOf(files);
  const previous = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8') : '';
  if (previous === stamp && fs.existsSync(path.join(outDir, 'apps/api/src/main.js'))) return;
  try {
    build(files, stamp);
  } catch (error) {
    fs.rmSync(`${outDir}.building-${process.pid}`, { recursive: true, force: true });
    // SWC's message names the file, line and column; its Rust backtrace helps nobody here.
    const message = (error instanceof Error ? error.message : String(error)).split(
      '\nCaused by:',
    )[0];
    process.stderr.write(`okr-ledger: build failed: ${message.trimEnd()}\n`);
    process.exit(1);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stderr.write(
    `okr-ledger: built ${files.length} files with SWC in ${Math.round(ms)} ms\n`,
  );
}

main();
