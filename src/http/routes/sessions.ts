// The JSON login API: log in, refresh, log out, and the sessions of the logged-in user. Handlers
// are built once with Hono's factory so the aliases client flows use (/auth/signin, /login,
// /logout) share them with /auth/* (see aliases.ts).
import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import { AuthError } from '../../core/kit/errors';
import { login } from '../../core/passwords/login';
import { listSessions, logout, logoutEverywhere, refresh, revokeSession } from '../../core/sessions/session-flows';
import type { AppEnv } from '../../web/context';
import { assertCookieRequestFromAllowedOrigin } from '../../web/csrf';
import { limitPerClient } from '../../web/rate-limit';
import { loginBody, refreshBody, sessionIdParam } from '../../web/schemas';
import { clearSessionCookies, readSessionCookies, setSessionCookies } from '../../web/session-cookies';
import { describeUserAgent } from '../../web/user-agent';
import { jsonBody, validParams } from '../json-body';
import { requireAuth } from '../require-auth';

const factory = createFactory<AppEnv>();

export const loginHandlers = factory.createHandlers(
  limitPerClient('RATE_LIMIT_CREDENTIALS', 'login'),
  jsonBody(loginBody),
  async (c) => {
    const tokens = await login(c.var.services, {
      ...c.req.valid('json'),
      userAgent: describeUserAgent(c.req.header('user-agent')),
    });
    setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
    return c.json(tokens);
  },
);

export const logoutHandlers = factory.createHandlers(requireAuth, async (c) => {
  await logout(c.var.services, c.var.auth);
  clearSessionCookies(c);
  return c.body(null, 204);
});

export const sessionRoutes = new Hono<AppEnv>()
  .post('/login', ...loginHandlers)
  .post('/signin', ...loginHandlers)
  .post('/refresh', limitPerClient('RATE_LIMIT_CREDENTIALS', 'refresh'), jsonBody(refreshBody), async (c) => {
    let refreshToken = c.req.valid('json').refreshToken;
    if (!refreshToken) {
      refreshToken = readSessionCookies(c).refreshToken;
      // The cookie rides along on cross-site requests too; only our own pages may use it.
      if (refreshToken) assertCookieRequestFromAllowedOrigin(c);
    }
    if (!refreshToken) {
      throw new AuthError('validation_failed', 'A refresh token is required.', [
        { field: 'refreshToken', message: 'is required' },
      ]);
    }
    try {
      const tokens = await refresh(c.var.services, refreshToken);
      setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
      return c.json(tokens);
    } catch (error) {
      clearSessionCookies(c);
      throw error;
    }
  })
  .post('/logout', ...logoutHandlers)
  .post('/logout-all', requireAuth, async (c) => {
    await logoutEverywhere(c.var.services, c.var.auth);
    clearSessionCookies(c);
    return c.body(null, 204);
  })
  .get('/sessions', requireAuth, async (c) => c.json({ sessions: await listSessions(c.var.services, c.var.auth) }))
  .delete('/sessions/:id', requireAuth, validParams(sessionIdParam), async (c) => {
    const { id } = c.req.valid('param');
    await revokeSession(c.var.services, c.var.auth, id);
    if (id === c.var.auth.session.id) clearSessionCookies(c);
    return c.body(null, 204);
  });
