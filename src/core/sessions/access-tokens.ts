// Access tokens: short-lived ES256 JWTs (RFC 9068 `at+jwt`) signed with jose. Verification pins
// the algorithm and checks type, issuer, audience and expiry; keys are found by `kid` among the
// published ones: the current key, and during a rotation the next and the previous one.
import {
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
  createLocalJWKSet,
  errors as joseErrors,
  importJWK,
  jwtVerify,
} from 'jose';
import { generateToken } from '../kit/random-token';

export const ACCESS_TOKEN_ALGORITHM = 'ES256';
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface SigningKeyConfig {
  /** The current private key, an EC P-256 JWK with a `kid`. */
  privateJwk: JWK & { kid: string };
  /** The public key of the previous signing key, still accepted during rotation. */
  previousPublicJwk?: (JWK & { kid: string }) | undefined;
  /**
   * The public key of the next signing key, published before Latchkey signs with it, so verifiers
   * that cache the key set already hold its `kid` when the switch happens.
   */
  nextPublicJwk?: (JWK & { kid: string }) | undefined;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  /** How the session's sign-in was proven (RFC 8176 `amr`); left out when unknown. */
  amr?: string[] | undefined;
}

export interface AccessTokenIssuer {
  issue(claims: AccessTokenClaims, now: number): Promise<string>;
  /** The claims of a valid token, or null for anything else. */
  verify(token: string, now: number): Promise<AccessTokenClaims | null>;
  jwks(): JSONWebKeySet;
}

export function publicJwkOf(privateJwk: JWK & { kid: string }): JWK & { kid: string } {
  const { kty, crv, x, y, kid } = privateJwk;
  return { kty, crv, x, y, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' } as JWK & { kid: string };
}

export function createAccessTokenIssuer(config: SigningKeyConfig): AccessTokenIssuer {
  // One key may sit in two settings for a moment of a rotation (secrets are set one at a time):
  // it is published once. readConfig refuses two different keys under one kid.
  const publicKeys = [config.privateJwk, config.nextPublicJwk, config.previousPublicJwk]
    .filter((jwk) => jwk !== undefined)
    .filter((jwk, index, all) => all.findIndex((other) => other.kid === jwk.kid) === index)
    .map(publicJwkOf);
  // Latchkey accepts exactly what it publishes, so it never disagrees with another verifier.
  const jwks: JSONWebKeySet = { keys: publicKeys };
  const verificationKeys = createLocalJWKSet(jwks);
  let signingKey: Promise<CryptoKey> | undefined;

  return {
    async issue(claims, now) {
      signingKey ??= importJWK(config.privateJwk, ACCESS_TOKEN_ALGORITHM) as Promise<CryptoKey>;
      const issuedAt = Math.floor(now / 1000);
      return new SignJWT(claims.amr?.length ? { sid: claims.sessionId, amr: claims.amr } : { sid: claims.sessionId })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: config.privateJwk.kid })
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setSubject(claims.userId)
        .setJti(generateToken(16))
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + config.ttlSeconds)
        .sign(await signingKey);
    },

    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, verificationKeys, {
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          typ: ACCESS_TOKEN_TYPE,
          issuer: config.issuer,
          audience: config.audience,
          currentDate: new Date(now),
          requiredClaims: ['sub', 'sid', 'exp', 'iat', 'jti'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
        return { userId: payload.sub, sessionId: payload.sid };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },

    jwks: () => jwks,
  };
}
