import { Hono } from 'hono';
import type { AppEnv } from '../../web/context';
import { openIdConfiguration } from '../../web/openid-provider';

// Verifiers may cache the key set for max-age, and an HTTP cache may serve it stale a little
// longer while it refetches. So a rotation publishes the next key (JWT_NEXT_PUBLIC_JWK) for at
// least both of these before Latchkey signs with it, and keeps the old key listed
// (JWT_PREVIOUS_PUBLIC_JWK) for the access-token lifetime after: no verifier then meets an unknown
// `kid` or loses a key a live token needs. README.md, "Rotating the signing key", has the steps.
export const JWKS_MAX_AGE_SECONDS = 300;
export const JWKS_STALE_WHILE_REVALIDATE_SECONDS = 60;

export const wellKnownRoutes = new Hono<AppEnv>().get('/jwks.json', (c) => {
  c.header(
    'cache-control',
    `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-while-revalidate=${JWKS_STALE_WHILE_REVALIDATE_SECONDS}`,
  );
  // The OpenID Provider's RSA ID-token keys sit beside the access-token keys (docs/openid-provider.md).
  const idTokenKeys = c.var.services.openIdKeys?.jwks().keys ?? [];
  return c.json({ keys: [...c.var.services.accessTokens.jwks().keys, ...idTokenKeys] });
});

wellKnownRoutes.get('/openid-configuration', (c) => {
  c.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  return c.json(openIdConfiguration(c));
});
