// CSRF defence by request origin, the one check both the API and the page forms use. Browsers
// attach cookies to cross-site requests, so a request that changes state with cookie credentials
// must prove it comes from our own origin or a listed one. The Origin header decides when it names
// an origin; `Origin: null` (sandboxed frames, some privacy settings, cross-site redirects) proves
// nothing, so Sec-Fetch-Site must then say "same-origin". With neither header the caller decides:
// the API refuses, the pages fall through to their double-submit token (see form-csrf.ts).
// Bearer requests are exempt: a cross-site page cannot set the Authorization header.
import type { Context } from 'hono';
import { readConfig } from '../config';
import { AuthError } from '../core/kit/errors';

export interface OriginCheckOptions {
  /** Origins besides the request's own that may send state-changing requests. */
  allowedOrigins?: (c: Context) => readonly string[];
  /** The answer for a request that carries neither Origin nor Sec-Fetch-Site. */
  withoutOriginHeaders: 'refuse' | 'allow';
}

/** Builds the check: true when the request comes from the request's own origin or an allowed one. */
export function createOriginCheck(options: OriginCheckOptions): (c: Context) => boolean {
  if (options.withoutOriginHeaders !== 'refuse' && options.withoutOriginHeaders !== 'allow') {
    throw new TypeError('withoutOriginHeaders must be "refuse" or "allow".');
  }
  return (c) => {
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if (origin !== undefined && origin !== 'null') {
      return origin === new URL(c.req.url).origin || (options.allowedOrigins?.(c).includes(origin) ?? false);
    }
    if (site !== undefined) return site === 'same-origin';
    if (origin === 'null') return false;
    return options.withoutOriginHeaders === 'allow';
  };
}

/** The API's check: its own origin and the CORS_ORIGINS allowlist; no evidence is a refusal. */
const apiOriginCheck = createOriginCheck({
  allowedOrigins: (c) => readConfig(c.env).CORS_ORIGINS,
  withoutOriginHeaders: 'refuse',
});

/** Refuses a request authenticated by a session cookie unless it comes from an allowed origin. */
export function assertCookieRequestFromAllowedOrigin(c: Context): void {
  if (!apiOriginCheck(c)) {
    throw new AuthError('forbidden', 'Cookie-authenticated requests must come from an allowed origin.');
  }
}

export function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}
