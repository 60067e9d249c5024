// Tokens shaped like Latchkey's, signed with keys the tests choose, to check each pinned claim.
import { type JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';

export const TTL_SECONDS = 600;

export interface TokenOverrides {
  typ?: string;
  aud?: string;
  iss?: string;
  kid?: string;
  sub?: string;
  sid?: string;
  /** Seconds since the epoch; `exp` follows at TTL_SECONDS. */
  iat?: number;
}

export async function forge(key: JWK, overrides: TokenOverrides = {}): Promise<string> {
  const iat = overrides.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: overrides.sid ?? 'session-1' })
    .setProtectedHeader({ alg: 'ES256', typ: overrides.typ ?? 'at+jwt', kid: overrides.kid ?? key.kid! })
    .setIssuer(overrides.iss ?? 'latchkey')
    .setAudience(overrides.aud ?? 'latchkey')
    .setSubject(overrides.sub ?? 'user-1')
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + TTL_SECONDS)
    .sign(await importJWK(key, 'ES256'));
}

export async function newSigningKey(kid: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const { d: _secret, ...publicJwk } = jwk;
  return { privateJwk: jwk, publicJwk: { ...publicJwk, use: 'sig' } };
}

/** A token's claims changed after signing, its signature kept. */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
  const forged = btoa(JSON.stringify({ ...claims, ...changes }))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  return `${header}.${forged}.${signature}`;
}
