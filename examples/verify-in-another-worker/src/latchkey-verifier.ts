// Verifies Latchkey access tokens locally against Latchkey's published keys (JWKS). The algorithm,
// token type, issuer and audience are pinned, so a token minted for another purpose or signed with
// `alg: none`/HS256 is refused. Keys are cached; an unknown `kid` (a key rotation) refetches them.
// A session ended with logout stays valid here until the token expires: see README.md.
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';

export interface LatchkeyClaims {
  userId: string;
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface VerifierOptions {
  /** A service binding to Latchkey; the JWKS is fetched through it. */
  latchkey?: Fetcher | undefined;
  /** Latchkey's JWKS URL, when there is no service binding. */
  jwksUrl?: string | undefined;
  issuer: string;
  audience: string;
  /** Milliseconds since the epoch; tests inject it. */
  now?: () => number;
  /** How long after a fetch an unknown `kid` may trigger another one (jose's default: 30 s). */
  cooldownMs?: number;
}

/** The claims of a valid Latchkey access token, or null for any other token. */
export type LatchkeyVerifier = (token: string) => Promise<LatchkeyClaims | null>;

// Latchkey serves the JWKS with max-age=300; keeping keys longer would only delay noticing that a
// key was withdrawn.
const JWKS_CACHE_MAX_AGE_MS = 300_000;
// Only the path matters through a service binding; the host is never resolved.
const JWKS_PATH_VIA_BINDING = 'https://latchkey.internal/.well-known/jwks.json';

/**
 * Latchkey unreachable or answering something other than a key set. Rethrown, so the caller
 * answers 503 rather than a 401 that tells the client to sign in again.
 */
function isKeySetOutage(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === errors.JOSEError.code)
  );
}

export function createLatchkeyVerifier(options: VerifierOptions): LatchkeyVerifier {
  const { latchkey, issuer, audience, now = Date.now } = options;
  if (!issuer || !audience) throw new Error('issuer and audience are required');
  if (!latchkey && !options.jwksUrl?.startsWith('https://')) {
    throw new Error('give a LATCHKEY service binding or an https LATCHKEY_JWKS_URL');
  }
  const keys = createRemoteJWKSet(new URL(latchkey ? JWKS_PATH_VIA_BINDING : options.jwksUrl!), {
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    ...(options.cooldownMs !== undefined && { cooldownDuration: options.cooldownMs }),
    ...(latchkey && { [customFetch]: (url: string, init: RequestInit) => latchkey.fetch(url, init) }),
  });

  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer,
        audience,
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'sid', 'exp', 'iat', 'jti'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp! };
    } catch (error) {
      if (isKeySetOutage(error)) throw error;
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  };
}
