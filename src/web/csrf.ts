// CSRF defence for cookie-authenticated requests. Browsers attach cookies to cross-site requests,
// so a request that changes state with cookie credentials must prove it comes from our own origin
// or a listed one: by its Origin header, or, without one, by Sec-Fetch-Site. A request with no
// such evidence is refused. Bearer requests are exempt: a cross-site page cannot set that header.
import type { Context } from 'hono';
import { readConfig } from '../config';
import { AuthError } from '../core/errors';

function isAllowedOrigin(c: Context, origin: string): boolean {
  return origin === new URL(c.req.url).origin || readConfig(c.env).CORS_ORIGINS.includes(origin);
}

function comesFromAllowedOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') return isAllowedOrigin(c, origin);
  const site = c.req.header('sec-fetch-site');
  return site === 'same-origin';
}

/** Refuses a request authenticated by a session cookie unless it comes from an allowed origin. */
export function assertCookieRequestFromAllowedOrigin(c: Context): void {
  if (!comesFromAllowedOrigin(c)) {
    throw new AuthError('forbidden', 'Cookie-authenticated requests must come from an allowed origin.');
  }
}

export function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}
