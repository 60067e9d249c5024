// `latchkey/verifier`: verifies Latchkey access tokens in another Worker, locally, against
// Latchkey's published keys. The algorithm, token type, issuer, audience and expiry are pinned as
// Latchkey pins them (src/core/sessions/access-tokens.ts), so a token minted for another purpose, or signed
// with `alg: none` or HS256, is refused. Imports only jose and web APIs.
import { errors, jwtVerify } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '../core/sessions/access-tokens';
import { createKeyResolver } from './key-set';
import { type RevocationReader, isRevoked } from './revocations';

export { LatchkeyUnavailableError } from './key-set';
export type { RevocationReader } from './revocations';

export interface LatchkeyClaims {
  userId: string;
  sessionId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface LatchkeyVerifierOptions {
  /** A service binding to Latchkey: the JWKS is fetched through it, without leaving Cloudflare. */
  latchkey?: { fetch(input: string, init?: RequestInit): Promise<Response> } | undefined;
  /** Latchkey's JWKS URL (https only), when there is no service binding. */
  jwksUrl?: string | undefined;
  /** Latchkey's JWT_ISSUER. */
  issuer: string;
  /** Latchkey's JWT_AUDIENCE. */
  audience: string;
  /**
   * The KV namespace Latchkey writes revocation markers to. Given, a token is refused once its
   * session ended (seen within KV's propagation, about a minute); without it, at its expiry.
   */
  revocations?: RevocationReader | undefined;
  /** Milliseconds since the epoch; tests inject it. */
  now?: () => number;
  /** How long a fetched key set is kept (default 300 000: the JWKS max-age). */
  cacheMaxAgeMs?: number;
  /** An unknown `kid` refetches the key set at most once per this many ms (default 30 000). */
  refetchFloorMs?: number;
}

/**
 * The claims of a valid Latchkey access token, or null for any other token. Throws
 * LatchkeyUnavailableError when the keys or the revocation markers cannot be read.
 */
export type LatchkeyVerifier = (token: string) => Promise<LatchkeyClaims | null>;

// Only the path matters through a service binding; the host is never resolved.
const JWKS_URL_VIA_BINDING = 'https://latchkey.internal/.well-known/jwks.json';
const JWKS_FETCH_TIMEOUT_MS = 5_000;

/** Make one per isolate, not per request: it holds the key cache. Throws if misconfigured. */
export function createLatchkeyVerifier(options: LatchkeyVerifierOptions): LatchkeyVerifier {
  const { latchkey, jwksUrl, issuer, audience, revocations, now = Date.now } = options;
  if (!issuer || !audience) throw new Error('issuer and audience are required');
  if (!latchkey && !jwksUrl?.startsWith('https://')) {
    throw new Error('give a service binding to Latchkey or an https JWKS URL');
  }
  const init = () => ({ headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
  const keys = createKeyResolver({
    fetchKeySet: latchkey ? () => latchkey.fetch(JWKS_URL_VIA_BINDING, init()) : () => fetch(jwksUrl!, init()),
    now,
    maxAgeMs: options.cacheMaxAgeMs ?? 300_000,
    refetchFloorMs: options.refetchFloorMs ?? 30_000,
  });

  return async (token) => {
    let claims: LatchkeyClaims;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer,
        audience,
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'sid', 'exp', 'iat', 'jti'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      claims = { userId: payload.sub, sessionId: payload.sid, issuedAt: payload.iat!, expiresAt: payload.exp! };
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
    if (revocations && (await isRevoked(revocations, claims))) return null;
    return claims;
  };
}
