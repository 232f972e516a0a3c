/**
 * Token verification per request, in one process: A = jose's jwtVerify with the secret's
 * bytes (what TokenVerifier did before its cache), B = TokenVerifier.verify (a KeyObject made
 * once, verified tokens cached until min(exp, TTL)), alternated in rounds of ITERATIONS calls,
 * with 16 distinct tokens as 16 connections would send them.
 *
 * Run: node -r ./scripts/register-ts.cjs bench/token-verifier.bench.ts. Prints JSON.
 */
import { jwtVerify } from 'jose';
import { signDevelopmentToken } from '../apps/api/src/auth/development-token';
import { TokenVerifier } from '../apps/api/src/auth/token-verifier';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const ROUNDS = 5;
const SECRET = `bench-${'x'.repeat(40)}`;

async function main(): Promise<void> {
  const tokens = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      signDevelopmentToken({ sub: `user-${i}`, org: 'bench', roles: ['ADMIN'] }, SECRET),
    ),
  );
  const bytes = new TextEncoder().encode(SECRET);
  const options = { algorithms: ['HS256'], clockTolerance: 5, requiredClaims: ['exp', 'sub'] };
  const verifier = new TokenVerifier({ jwtSecret: SECRET, jwksUrl: undefined });
  const variants: [string, (token: string) => Promise<unknown>][] = [
    ['A: jwtVerify per request', (t) => jwtVerify(t, bytes, options)],
    ['B: TokenVerifier (cached)', (t) => verifier.verify(t)],
  ];
  const micros = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, verify] of variants) {
      const started = performance.now();
      for (let i = 0; i < ITERATIONS; i++) await verify(tokens[i % tokens.length]!);
      const perCall = ((performance.now() - started) * 1000) / ITERATIONS;
      if (round > 0) micros.set(label, [...(micros.get(label) ?? []), +perCall.toFixed(2)]);
    }
  }
  console.log(
    JSON.stringify(
      { iterations: ITERATIONS, microsecondsPerCall: Object.fromEntries(micros) },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
