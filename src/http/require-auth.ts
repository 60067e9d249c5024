// Authenticated routes: a Bearer access token, or the access cookie a browser sign-in set. A
// cookie-authenticated request that changes state must also pass the CSRF origin check.
import { createMiddleware } from 'hono/factory';
import { AuthError } from '../core/errors';
import { authenticate } from '../core/sign-in';
import type { AppEnv } from './context';
import { assertCookieRequestFromAllowedOrigin, isStateChanging } from './csrf';
import { readSessionCookies } from './session-cookies';

const bearerPattern = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  let accessToken: string | undefined;
  if (header) {
    accessToken = bearerPattern.exec(header)?.[1];
  } else {
    accessToken = readSessionCookies(c).accessToken;
    if (accessToken && isStateChanging(c.req.method)) assertCookieRequestFromAllowedOrigin(c);
  }
  if (!accessToken) throw new AuthError('unauthorized', 'A valid access token is required.');
  c.set('auth', await authenticate(c.var.services, accessToken));
  await next();
});
