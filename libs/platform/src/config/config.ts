import type { KeyObject } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { DEVELOPMENT_LEDGER_SIGNING_KEY, parseLedgerSigningKey } from './ledger-signing-key';

export type EventStoreKind = 'postgres' | 'eventstoredb';
export type ProjectorMode = 'in-process' | 'external';
export type LogFormat = 'text' | 'json';

/** Everything the processes read from the environment, validated once at start-up. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  /** Unset means: start an embedded PostgreSQL whose data lives in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * The owner role that runs the event store's migrations (MIGRATION_DATABASE_URL); then
   * `databaseUrl` serves as a role that cannot disable the log's immutability triggers.
   */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly eventStore: EventStoreKind;
  readonly eventStoreUrl: string | undefined;
  readonly auth: { readonly jwtSecret: string; readonly jwksUrl: string | undefined };
  readonly projector: ProjectorMode;
  /** `json`: one JSON object per log line, and one line per GraphQL request. */
  readonly logFormat: LogFormat;
  /** Ed25519 private key that signs ledger checkpoints (LEDGER_SIGNING_KEY). */
  readonly ledgerSigningKey: KeyObject;
}

/** The documented development secret; refused when NODE_ENV=production. */
export const DEVELOPMENT_JWT_SECRET = 'okr-ledger-development-secret-do-not-use-in-production';

/** A configuration problem, reported as one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 4000;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError('PORT', `must be a whole number from 1 to 65535, got "${raw}"`);
  }
  const port = Number(raw);
  if (port < 1 || port > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

function parseUrl(
  variable: string,
  raw: string | undefined,
  protocols: readonly string[],
): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `is not a valid URL (expected ${protocols[0]}//…)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      variable,
      `must use ${protocols.join(' or ')}, got "${url.protocol}" (expected ${protocols[0]}//…)`,
    );
  }
  if (!url.hostname && url.protocol !== 'esdb:') {
    throw new ConfigError(variable, 'has no host name');
  }
  return raw;
}

function parseChoice<T extends string>(
  variable: string,
  raw: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const found = choices.find((c) => c === raw.trim());
  if (!found) throw new ConfigError(variable, `must be one of ${choices.join(', ')}, got "${raw}"`);
  return found;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): AppConfig {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const port = parsePort(env.PORT);
  const databaseUrl = parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  const migrationDatabaseUrl = parseUrl('MIGRATION_DATABASE_URL', env.MIGRATION_DATABASE_URL, [
    'postgres:',
    'postgresql:',
  ]);
  if (migrationDatabaseUrl && !databaseUrl) {
    // The embedded cluster makes its own roles; an owner URL alone would point nowhere.
    throw new ConfigError('MIGRATION_DATABASE_URL', 'requires DATABASE_URL (the serving role)');
  }
  const rawDir = env.OKR_DATA_DIR?.trim() || './.okr-data';
  const dataDir = isAbsolute(rawDir) ? rawDir : resolve(cwd, rawDir);
  const eventStore = parseChoice<EventStoreKind>(
    'EVENT_STORE',
    env.EVENT_STORE,
    ['postgres', 'eventstoredb'],
    'postgres',
  );
  const eventStoreUrl = parseUrl('EVENTSTORE_URL', env.EVENTSTORE_URL, [
    'esdb:',
    'esdb+discover:',
    'kurrentdb:',
  ]);
  if (eventStore === 'eventstoredb' && !eventStoreUrl) {
    throw new ConfigError('EVENTSTORE_URL', 'is required when EVENT_STORE=eventstoredb');
  }
  const jwksUrl = parseUrl('AUTH_JWKS_URL', env.AUTH_JWKS_URL, ['https:', 'http:']);
  const secret = env.AUTH_JWT_SECRET?.trim();
  if (secret !== undefined && secret !== '' && secret.length < 32) {
    throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 characters long');
  }
  if (nodeEnv === 'production' && !jwksUrl && (!secret || secret === DEVELOPMENT_JWT_SECRET)) {
    throw new ConfigError(
      'AUTH_JWT_SECRET',
      'must be set (or AUTH_JWKS_URL) in production; the development secret is refused',
    );
  }
  const projector = parseChoice<ProjectorMode>(
    'PROJECTOR',
    env.PROJECTOR,
    ['in-process', 'external'],
    'in-process',
  );
  const logFormat = parseChoice<LogFormat>('LOG_FORMAT', env.LOG_FORMAT, ['text', 'json'], 'text');
  const ledgerSigningKey = loadLedgerSigningKey(env.LEDGER_SIGNING_KEY, nodeEnv);
  return {
    nodeEnv,
    port,
    databaseUrl,
    migrationDatabaseUrl,
    dataDir,
    eventStore,
    eventStoreUrl,
    auth: { jwtSecret: secret || DEVELOPMENT_JWT_SECRET, jwksUrl },
    projector,
    logFormat,
    ledgerSigningKey,
  };
}

function loadLedgerSigningKey(raw: string | undefined, nodeEnv: string): KeyObject {
  const text = raw?.trim() || DEVELOPMENT_LEDGER_SIGNING_KEY;
  if (nodeEnv === 'production' && text === DEVELOPMENT_LEDGER_SIGNING_KEY) {
    throw new ConfigError(
      'LEDGER_SIGNING_KEY',
      'must be set in production (an Ed25519 private key, PEM or base64 PKCS#8); the development key is refused',
    );
  }
  try {
    return parseLedgerSigningKey(text);
  } catch (error) {
    throw new ConfigError('LEDGER_SIGNING_KEY', (error as Error).message);
  }
}
