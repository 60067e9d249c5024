// The keys of the OpenID Provider. ID tokens are RS256 by default (OpenID Connect Core 15.1 makes it
// mandatory to implement) or ES256 per client with the access-token key; OAuth access tokens are
// ES256 `at+jwt` (RFC 9068). The RSA key rotates like the EC one: a next key is published before
// it signs, the previous one stays published while tokens it signed live. Verification pins the
// algorithms and accepts exactly the published keys.
import {
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
  createLocalJWKSet,
  errors as joseErrors,
  importJWK,
  jwtVerify,
} from 'jose';
import type { IdTokenAlgorithm } from './oauth-client-store';

type KeyedJwk = JWK & { kid: string };

export interface OpenIdKeyConfig {
  rsaPrivateJwk: KeyedJwk;
  rsaNextPublicJwk?: KeyedJwk | undefined;
  rsaPreviousPublicJwk?: KeyedJwk | undefined;
  /** The access-token key (JWT_PRIVATE_JWK): ES256 ID tokens and OAuth access tokens. */
  ecPrivateJwk: KeyedJwk;
  /** The EC keys the access tokens' JWKS already publishes, for verifying what was signed with them. */
  ecPublicJwks: JSONWebKeySet;
}

export interface OpenIdKeys {
  /** The RSA public keys, to publish beside the EC ones. */
  jwks(): JSONWebKeySet;
  sign(payload: JWTPayload, options: { alg: IdTokenAlgorithm; typ: 'JWT' | 'at+jwt' }): Promise<string>;
  /**
   * The payload of a token this provider signed, or null. `typ` is checked when given;
   * `ignoreExpiry` is for `id_token_hint`, which may name an expired ID token.
   */
  verify(
    token: string,
    options: { issuer: string; typ?: string; now: number; ignoreExpiry?: boolean },
  ): Promise<JWTPayload | null>;
}

function rsaPublicOf(jwk: KeyedJwk): KeyedJwk {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: 'RS256', use: 'sig' } as KeyedJwk;
}

export function createOpenIdKeys(config: OpenIdKeyConfig): OpenIdKeys {
  const rsaKeys = [config.rsaPrivateJwk, config.rsaNextPublicJwk, config.rsaPreviousPublicJwk]
    .filter((jwk) => jwk !== undefined)
    .filter((jwk, index, all) => all.findIndex((other) => other.kid === jwk.kid) === index)
    .map(rsaPublicOf);
  const published: JSONWebKeySet = { keys: rsaKeys };
  const verificationKeys = createLocalJWKSet({ keys: [...rsaKeys, ...config.ecPublicJwks.keys] });
  const signingKeys = new Map<IdTokenAlgorithm, Promise<CryptoKey>>();
  const keyFor = (alg: IdTokenAlgorithm) => {
    const jwk = alg === 'RS256' ? config.rsaPrivateJwk : config.ecPrivateJwk;
    let key = signingKeys.get(alg);
    if (!key) signingKeys.set(alg, (key = importJWK(jwk, alg) as Promise<CryptoKey>));
    return { key, kid: jwk.kid };
  };

  return {
    jwks: () => published,

    async sign(payload, { alg, typ }) {
      const { key, kid } = keyFor(alg);
      return new SignJWT(payload).setProtectedHeader({ alg, typ, kid }).sign(await key);
    },

    async verify(token, { issuer, typ, now, ignoreExpiry }) {
      try {
        const { payload } = await jwtVerify(token, verificationKeys, {
          algorithms: ['RS256', 'ES256'],
          issuer,
          ...(typ ? { typ } : {}),
          // An expired hint still names who signed in: its exp is then checked against the epoch.
          currentDate: new Date(ignoreExpiry ? 0 : now),
        });
        return payload;
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}
