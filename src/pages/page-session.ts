// Who is signed in, from the session cookies. An access token lives 10 minutes; when it has
// expired (the browser drops the cookie) or is refused, the refresh cookie decides:
// - a GET (or HEAD) only reads it: the page is shown for the live session the refresh token
//   belongs to, and no token is rotated and no cookie set or cleared (GET never changes state);
// - a form post spends it once for a new pair, which rotates the refresh token and sets the
//   cookies; anything invalid then clears both cookies, so a dead session never loops.
import type { Context } from 'hono';
import { type Authenticated, authenticate, refresh } from '../core/sessions/session-flows';
import { AuthError } from '../core/kit/errors';
import { findSessionByRefreshToken } from '../core/sessions/session-lookup';
import { readConfig } from '../config';
import { isStateChanging } from '../web/csrf';
import { clearSessionCookies, readSessionCookies, setSessionCookies } from '../web/session-cookies';
import type { PageEnv } from '../web/page-env';

async function expectedFailure<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuthError) return null;
    throw error;
  }
}

export async function currentSession(c: Context<PageEnv>): Promise<Authenticated | null> {
  const services = c.var.services;
  const { accessToken, refreshToken } = readSessionCookies(c);
  if (accessToken) {
    const auth = await expectedFailure(() => authenticate(services, accessToken));
    if (auth) return auth;
  }
  if (!isStateChanging(c.req.method)) {
    return refreshToken ? findSessionByRefreshToken(services, refreshToken) : null;
  }
  if (refreshToken) {
    const tokens = await expectedFailure(() => refresh(services, refreshToken));
    if (tokens) {
      setSessionCookies(c, tokens, readConfig(c.env).SESSION_TTL_SECONDS);
      const auth = await expectedFailure(() => authenticate(services, tokens.accessToken));
      if (auth) return auth;
    }
  }
  if (accessToken || refreshToken) clearSessionCookies(c);
  return null;
}
