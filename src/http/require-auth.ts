// Authenticated routes: a Bearer access token, or the access cookie a browser sign-in set. A
// cookie-authenticated request that changes state must also pass the CSRF check. A refusal is a
// 401 whose challenge says whether a token was sent and refused (see ./auth-challenge.ts).
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AuthError } from '../core/kit/errors';
import { type Authenticated, authenticate } from '../core/sessions/session-flows';
import { BEARER_CHALLENGE, INVALID_TOKEN_CHALLENGE } from './auth-challenge';
import type { AppEnv } from '../web/context';
import { assertCookieRequestFromAllowedOrigin, isStateChanging } from '../web/csrf';
import { problemResponse } from '../web/problem';
import { readSessionCookies } from '../web/session-cookies';

// The auth scheme is case-insensitive (RFC 9110 section 11.1), and one or more spaces may
// separate it from the token.
const bearerScheme = /^Bearer +\S/i;
const bearerPattern = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/** The access token the request carries, and whether it tried to send one at all. */
function presentedToken(c: Context<AppEnv>): { token: string | undefined; sent: boolean } {
  const header = c.req.header('authorization');
  // A header, even of another scheme, is the request's choice: the cookie is then not read.
  if (header) return { token: bearerPattern.exec(header.trim())?.[1], sent: bearerScheme.test(header.trim()) };
  const token = readSessionCookies(c).accessToken;
  if (token && isStateChanging(c.req.method)) assertCookieRequestFromAllowedOrigin(c);
  return { token, sent: token !== undefined };
}

async function authenticated(c: Context<AppEnv>, token: string): Promise<Authenticated | null> {
  try {
    return await authenticate(c.var.services, token);
  } catch (error) {
    if (error instanceof AuthError && error.code === 'unauthorized') return null;
    throw error;
  }
}

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const { token, sent } = presentedToken(c);
  const auth = token ? await authenticated(c, token) : null;
  if (!auth) {
    return problemResponse(c, 'unauthorized', 'A valid access token is required.', [], {
      'www-authenticate': sent ? INVALID_TOKEN_CHALLENGE : BEARER_CHALLENGE,
    });
  }
  c.set('auth', auth);
  await next();
});
