import { Hono } from 'hono';
import type { AppEnv } from '../context';

// Verifiers may cache the key set for max-age, and an HTTP cache may serve it stale a little
// longer while it refetches. A rotation signs with the new key at once and keeps the previous key
// listed (JWT_PREVIOUS_PUBLIC_JWK): keep it there for at least the access-token lifetime plus both
// of these, so no verifier refuses a live token signed before the rotation. New tokens carry an
// unknown `kid` for a verifier holding an old copy; one that refetches on an unknown `kid` (jose's
// createRemoteJWKSet) picks the new key up at once, others only when their copy expires.
export const JWKS_MAX_AGE_SECONDS = 300;
export const JWKS_STALE_WHILE_REVALIDATE_SECONDS = 60;

export const wellKnownRoutes = new Hono<AppEnv>().get('/jwks.json', (c) => {
  c.header(
    'cache-control',
    `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-while-revalidate=${JWKS_STALE_WHILE_REVALIDATE_SECONDS}`,
  );
  return c.json(c.var.services.accessTokens.jwks());
});
