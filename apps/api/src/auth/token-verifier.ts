import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '@okr-ledger/platform';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { UnauthenticatedError } from '../errors/api.errors';
import { type Identity, isRole } from './identity';

/** Leeway for clocks that disagree a little between the issuer and this server. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * A verified token is trusted again without verifying for at most this long, and never past
 * its `exp`: with a JWKS, a key rotated out stops being trusted within this bound too.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Distinct verified tokens remembered (least recently used out first). */
export const VERIFIED_TOKEN_CACHE_SIZE = 1_000;

type Key =
  | { readonly kind: 'secret'; readonly secret: KeyObject }
  | { readonly kind: 'jwks'; readonly jwks: JWTVerifyGetKey };

/**
 * Verifies bearer tokens: HS256 with the configured secret, or RS256/ES256 against the
 * JWKS when `AUTH_JWKS_URL` is set. Only those algorithms are accepted, so `alg: none`
 * and HS/RS confusion (an HS256 token "signed" with the public key) are refused.
 */
export class TokenVerifier {
  private readonly key: Key;
  private readonly options: JWTVerifyOptions;
  /** Token → its identity and until when it may be served without verifying (LRU order). */
  private readonly verified = new Map<string, { identity: Identity; until: number }>();

  constructor(auth: AppConfig['auth']) {
    if (auth.jwksUrl) {
      this.key = {
        kind: 'jwks',
        jwks: createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 5000 }),
      };
      this.options = { algorithms: ['RS256', 'ES256'] };
    } else {
      // A KeyObject made once: jose would otherwise make one from the bytes per token.
      this.key = { kind: 'secret', secret: createSecretKey(Buffer.from(auth.jwtSecret, 'utf8')) };
      this.options = { algorithms: ['HS256'] };
    }
    this.options = {
      ...this.options,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    };
  }

  /**
   * The identity in a valid token. Throws UnauthenticatedError for any bad token; other
   * errors (the JWKS endpoint is down) are server faults and propagate as they are.
   */
  async verify(token: string): Promise<Identity> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit) {
      this.verified.delete(token);
      if (hit.until > now) {
        this.verified.set(token, hit);
        return hit.identity;
      }
    }
    const payload = await this.verifySignature(token);
    const identity = identityFromClaims(payload);
    // requiredClaims makes exp a number; a token within the clock tolerance is not kept.
    const until = Math.min((payload.exp ?? 0) * 1000, now + VERIFIED_TOKEN_TTL_MS);
    if (until > now) {
      this.verified.set(token, { identity: freezeIdentity(identity), until });
      if (this.verified.size > VERIFIED_TOKEN_CACHE_SIZE) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
    }
    return identity;
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      payload =
        this.key.kind === 'secret'
          ? (await jwtVerify(token, this.key.secret, this.options)).payload
          : (await jwtVerify(token, this.key.jwks, this.options)).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new UnauthenticatedError('The token has expired.');
      }
      if (error instanceof joseErrors.JOSEError && !isJwksOutage(error)) {
        throw new UnauthenticatedError('The token is invalid.');
      }
      throw error;
    }
    return payload;
  }
}

/** A cached identity is shared by the requests of that token: none may change it. */
function freezeIdentity(identity: Identity): Identity {
  Object.freeze(identity.roles);
  return Object.freeze(identity);
}

function isJwksOutage(error: joseErrors.JOSEError): boolean {
  return error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid;
}

export function identityFromClaims(payload: JWTPayload): Identity {
  const { sub, org, roles } = payload as JWTPayload & { org?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw new UnauthenticatedError('The token has no subject (sub).');
  }
  if (typeof org !== 'string' || org.trim() === '') {
    throw new UnauthenticatedError('The token has no organisation (org).');
  }
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    throw new UnauthenticatedError("The token's roles claim must be a list of strings.");
  }
  // Roles this API does not know (an identity provider's own) are ignored, not refused.
  return { actorId: sub, tenantId: org, roles: [...new Set((roles ?? []).filter(isRole))] };
}
