// Browser sessions: the access and refresh tokens in `__Host-` cookies (HttpOnly, Secure,
// SameSite=Lax, Path=/, no Domain), so page scripts cannot read them and no subdomain can set
// or overwrite them. Routes that accept these cookies must also pass the CSRF check.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

// Hono's `prefix: 'host'` adds `__Host-` and enforces its rules (Secure, Path=/, no Domain).
export const ACCESS_COOKIE = 'latchkey-access';
export const REFRESH_COOKIE = 'latchkey-refresh';

const attributes = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const;

export function setSessionCookies(
  c: Context,
  tokens: { accessToken: string; refreshToken: string; expiresIn: number },
  sessionTtlSeconds: number,
): void {
  setCookie(c, ACCESS_COOKIE, tokens.accessToken, { ...attributes, maxAge: tokens.expiresIn, prefix: 'host' });
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, { ...attributes, maxAge: sessionTtlSeconds, prefix: 'host' });
}

export function clearSessionCookies(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, { ...attributes, prefix: 'host' });
  deleteCookie(c, REFRESH_COOKIE, { ...attributes, prefix: 'host' });
}

export function readSessionCookies(c: Context): { accessToken?: string; refreshToken?: string } {
  return { accessToken: getCookie(c, ACCESS_COOKIE, 'host'), refreshToken: getCookie(c, REFRESH_COOKIE, 'host') };
}
