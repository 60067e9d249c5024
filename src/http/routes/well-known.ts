import { Hono } from 'hono';
import type { AppEnv } from '../context';

// Verifiers may cache the key set for this long. A rotation publishes the new key while the
// previous one stays listed; keep the previous key for at least this max-age plus the access-token
// lifetime, and every cached copy still verifies every live token.
export const JWKS_MAX_AGE_SECONDS = 300;

export const wellKnownRoutes = new Hono<AppEnv>().get('/jwks.json', (c) => {
  c.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  return c.json(c.var.services.accessTokens.jwks());
});
