// Apple's client secret is not a fixed string: it is an ES256 JWT the deployer's key signs
// (team id as issuer, the Services ID as subject, Apple as audience), good for up to six months.
// One is made per isolate and renewed well before it expires.
import { SignJWT, importPKCS8 } from 'jose';
import type { Clock } from '../core/kit/clock';

const LIFETIME_SECONDS = 60 * 60;

export function appleClientSecret(
  settings: { clientId: string; teamId: string; keyId: string; privateKey: string },
  clock: Clock,
): () => Promise<string> {
  let cached: { jwt: string; expiresAt: number } | undefined;
  let key: Promise<CryptoKey> | undefined;
  return async () => {
    const now = Math.floor(clock.now() / 1000);
    if (cached && cached.expiresAt - 300 > now) return cached.jwt;
    key ??= importPKCS8(settings.privateKey.replace(/\\n/g, '\n'), 'ES256');
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: settings.keyId })
      .setIssuer(settings.teamId)
      .setSubject(settings.clientId)
      .setAudience('https://appleid.apple.com')
      .setIssuedAt(now)
      .setExpirationTime(now + LIFETIME_SECONDS)
      .sign(await key);
    cached = { jwt, expiresAt: now + LIFETIME_SECONDS };
    return jwt;
  };
}
