// `npm run token -- --sub ana --org acme --roles ADMIN,MEMBER [--ttl 12h]`: prints a
// development token signed with the configured AUTH_JWT_SECRET (or the development default).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@okr-ledger/platform';
import { DEFAULT_TOKEN_TTL_SECONDS, parseTtl, signDevelopmentToken } from './development-token';
import { isRole, ROLES, type Role } from './identity';

const USAGE = `usage: npm run token -- --sub <actor> --org <tenant> [--roles ${ROLES.join(',')}] [--ttl 12h]`;

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { sub?: string; org?: string; roles?: string; ttl?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        sub: { type: 'string' },
        org: { type: 'string' },
        roles: { type: 'string', default: 'MEMBER' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.sub?.trim()) fail('--sub is required');
  if (!values.org?.trim()) fail('--org is required');
  const roles = (values.roles ?? '')
    .split(',')
    .map((r) => r.trim().toUpperCase())
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length > 0)
    fail(`unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }
  // A token minted from a shell is a development convenience, never a production login.
  if (config.nodeEnv === 'production') fail('refusing to sign tokens with NODE_ENV=production');
  if (config.auth.jwksUrl) {
    process.stderr.write(
      'token: warning: AUTH_JWKS_URL is set, so the server will not accept HS256 tokens\n',
    );
  }
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (values.ttl !== undefined) {
    try {
      ttlSeconds = parseTtl(values.ttl);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }
  const token = await signDevelopmentToken(
    { sub: values.sub.trim(), org: values.org.trim(), roles: roles as Role[], ttlSeconds },
    config.auth.jwtSecret,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${String(error)}\n`);
  process.exit(1);
});
