// CSRF protection for the page forms, in two independent layers, because the session cookies
// (SameSite=Lax) are sent with top-level navigations from other sites:
// 1. Same origin: a form post whose Origin or Sec-Fetch-Site names another site is refused, by the
//    same check the API uses (csrf.ts). Browsers that send neither header fall through to the token.
// 2. Double-submit token: a random token lives in the `__Host-latchkey-csrf` cookie and in a
//    hidden `csrf` field of every form; the post must carry both, equal (compared in constant
//    time). Another site can neither read the cookie nor, thanks to `__Host-` (Secure, Path=/,
//    no Domain), plant one from a sibling subdomain, so it cannot fill in the field.
// The token is not tied to the session, which also covers login CSRF on /signin.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { timingSafeEqual } from '../core/kit/encoding';
import { generateToken } from '../core/kit/random-token';
import { createOriginCheck, isStateChanging } from './csrf';
import type { PageEnv } from './page-env';

export const CSRF_COOKIE = 'latchkey-csrf';
export const CSRF_FIELD = 'csrf';

export type CsrfRefusal = 'cross_origin' | 'bad_token';

// Pages accept only their own origin; a browser without either header is left to the token.
const fromOwnOrigin = createOriginCheck({ withoutOriginHeaders: 'allow' });

function tokensMatch(cookie: string | undefined, field: unknown): boolean {
  if (!cookie || typeof field !== 'string' || field.length === 0) return false;
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(cookie), encoder.encode(field));
}

/**
 * Gives every page a CSRF token (setting the cookie the first time) and refuses unsafe requests
 * that fail either check, answering with `refuse` so the browser shows a page, not a bare 403.
 */
export function csrfProtection(refuse: (c: Context<PageEnv>, reason: CsrfRefusal) => Response | Promise<Response>) {
  return createMiddleware<PageEnv>(async (c, next) => {
    const cookie = getCookie(c, CSRF_COOKIE, 'host');
    if (isStateChanging(c.req.method)) {
      if (!fromOwnOrigin(c)) return refuse(c, 'cross_origin');
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      if (!tokensMatch(cookie, body[CSRF_FIELD])) return refuse(c, 'bad_token');
    }
    let token = cookie;
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = generateToken();
      setCookie(c, CSRF_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', prefix: 'host' });
    }
    c.set('csrfToken', token);
    await next();
  });
}
