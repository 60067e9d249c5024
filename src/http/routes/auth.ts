// The JSON account API. Handlers are built once with Hono's factory so the aliases the client
// flows use (/user/register, /auth/signin, /login, /logout) share them with /auth/*.
import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import * as accounts from '../../core/accounts';
import { AuthError } from '../../core/errors';
import { changePassword } from '../../core/account-changes';
import { login } from '../../core/login';
import { listSessions, logout, logoutEverywhere, refresh, revokeSession } from '../../core/session-flows';
import type { AppEnv } from '../context';
import { assertCookieRequestFromAllowedOrigin } from '../csrf';
import { jsonBody, validParams } from '../json-body';
import { limitPerClient } from '../rate-limit';
import { requireAuth } from '../require-auth';
import {
  changePasswordBody,
  emailBody,
  loginBody,
  refreshBody,
  registerBody,
  resetPasswordBody,
  sessionIdParam,
  tokenBody,
} from '../schemas';
import { clearSessionCookies, readSessionCookies, setSessionCookies } from '../session-cookies';
import { describeUserAgent } from '../user-agent';

const factory = createFactory<AppEnv>();

const registerHandlers = factory.createHandlers(
  limitPerClient('RATE_LIMIT_CREDENTIALS', 'register'),
  jsonBody(registerBody),
  async (c) => {
    const user = await accounts.register(c.var.services, c.req.valid('json'));
    return c.json({ user }, 201);
  },
);

const loginHandlers = factory.createHandlers(
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

const logoutHandlers = factory.createHandlers(requireAuth, async (c) => {
  await logout(c.var.services, c.var.auth);
  clearSessionCookies(c);
  return c.body(null, 204);
});

export const authRoutes = new Hono<AppEnv>()
  .post('/register', ...registerHandlers)
  .post('/verify-email', limitPerClient('RATE_LIMIT_CREDENTIALS', 'verify-email'), jsonBody(tokenBody), async (c) => {
    const user = await accounts.verifyEmail(c.var.services, c.req.valid('json').token);
    return c.json({ user });
  })
  .post(
    '/resend-verification',
    limitPerClient('RATE_LIMIT_MAIL', 'resend-verification'),
    jsonBody(emailBody),
    async (c) => {
      await accounts.resendVerification(c.var.services, c.req.valid('json').email);
      return c.json({ status: 'accepted' }, 202);
    },
  )
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
  })
  .post(
    '/change-password',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'change-password'),
    requireAuth,
    jsonBody(changePasswordBody),
    async (c) => {
      await changePassword(c.var.services, c.var.auth, c.req.valid('json'));
      return c.json({ status: 'password_changed' });
    },
  )
  .post('/forgot-password', limitPerClient('RATE_LIMIT_MAIL', 'forgot-password'), jsonBody(emailBody), async (c) => {
    await accounts.forgotPassword(c.var.services, c.req.valid('json').email);
    return c.json({ status: 'accepted' }, 202);
  })
  .post(
    '/reset-password',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'reset-password'),
    jsonBody(resetPasswordBody),
    async (c) => {
      await accounts.resetPassword(c.var.services, c.req.valid('json'));
      return c.json({ status: 'password_reset' });
    },
  );

export const aliasRoutes = new Hono<AppEnv>()
  .post('/user/register', ...registerHandlers)
  .post('/login', ...loginHandlers)
  .post('/logout', ...logoutHandlers);
