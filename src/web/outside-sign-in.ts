// What the outside sign-in's API route and pages share: the browser-binding cookie and the
// callback address each provider must know. The cookie holds the PKCE verifier of the one
// redirect in progress (the database has only its digest), as `__Host-` (Secure, Path=/, no
// Domain) and HttpOnly. It is SameSite=None because Apple returns with a cross-site form POST,
// which a Lax cookie would miss; it authenticates nothing by itself, it only ties the callback to
// the browser that started it, and it lives ten minutes.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { OUTSIDE_AUTHORIZATION_TTL_MS } from '../core/identities/outside-sign-in';
import { type Env, readConfig } from '../config';

export const OUTSIDE_COOKIE = 'latchkey-oauth';

const attributes = { path: '/', secure: true, httpOnly: true, sameSite: 'None', prefix: 'host' } as const;

export function setOutsideCookie(c: Context, browserKey: string): void {
  setCookie(c, OUTSIDE_COOKIE, browserKey, { ...attributes, maxAge: OUTSIDE_AUTHORIZATION_TTL_MS / 1000 });
}

/** The cookie's value, cleared in the same answer: a callback is tried once. */
export function takeOutsideCookie(c: Context): string | undefined {
  const value = getCookie(c, OUTSIDE_COOKIE, 'host');
  if (value !== undefined) deleteCookie(c, OUTSIDE_COOKIE, attributes);
  return value;
}

/** `<APP_URL>/auth/oauth/<id>/callback`: the redirect URI registered at the provider. */
export function outsideRedirectUri(c: { env: Env; req: { url: string } }, provider: string): string {
  const base = readConfig(c.env).APP_URL ?? new URL(c.req.url).origin;
  return `${base.replace(/\/+$/, '')}/auth/oauth/${provider}/callback`;
}
