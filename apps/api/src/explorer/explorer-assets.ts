import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the explorer's files are served from; outside /graphql so Apollo never sees them. */
export const EXPLORER_ASSETS_PATH = '/explorer/assets';

interface AssetSource {
  readonly contentType: string;
  readonly load: () => Buffer;
}

function fromPackage(pkg: string, file: string): () => Buffer {
  // The packages export no subpaths for their UMD builds; their package.json is exported.
  return () => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));
}

// GraphiQL 3's UMD bundle expects React 18's UMD globals (`React`, `ReactDOM`).
const SOURCES: Readonly<Record<string, AssetSource>> = {
  'react.production.min.js': {
    contentType: 'text/javascript; charset=utf-8',
    load: fromPackage('react', 'umd/react.production.min.js'),
  },
  'react-dom.production.min.js': {
    contentType: 'text/javascript; charset=utf-8',
    load: fromPackage('react-dom', 'umd/react-dom.production.min.js'),
  },
  'graphiql.min.js': {
    contentType: 'text/javascript; charset=utf-8',
    load: fromPackage('graphiql', 'graphiql.min.js'),
  },
  'graphiql.min.css': {
    contentType: 'text/css; charset=utf-8',
    load: fromPackage('graphiql', 'graphiql.min.css'),
  },
};

export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
}

const cache = new Map<string, Asset>();

/** One of the explorer's fixed files, read once; undefined for any other name. */
export function explorerAsset(name: string): Asset | undefined {
  const cached = cache.get(name);
  if (cached) return cached;
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  const asset = { contentType: source.contentType, body: source.load() };
  cache.set(name, asset);
  return asset;
}
