// The JSON account API. Handlers are built once with Hono's factory so the aliases the client
// flows use (/user/register, /auth/signin, /login, /logout) share them with /auth/*.
import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import * as accounts from '../../core/accounts';
import type { AppEnv } from '../context';
import { jsonBody } from '../json-body';
import { requireAuth } from '../require-auth';
import { emailBody, loginBody, refreshBody, registerBody, resetPasswordBody, tokenBody } from '../schemas';

const factory = createFactory<AppEnv>();

const registerHandlers = factory.createHandlers(jsonBody(registerBody), async (c) => {
  const user = await accounts.register(c.var.services, c.req.valid('json'));
  return c.json({ user }, 201);
});

const loginHandlers = factory.createHandlers(jsonBody(loginBody), async (c) =>
  c.json(await accounts.login(c.var.services, c.req.valid('json'))),
);

const logoutHandlers = factory.createHandlers(requireAuth, async (c) => {
  await accounts.logout(c.var.services, c.var.auth);
  return c.body(null, 204);
});

export const authRoutes = new Hono<AppEnv>()
  .post('/register', ...registerHandlers)
  .post('/verify-email', jsonBody(tokenBody), async (c) => {
    const user = await accounts.verifyEmail(c.var.services, c.req.valid('json').token);
    return c.json({ user });
  })
  .post('/resend-verification', jsonBody(emailBody), async (c) => {
    await accounts.resendVerification(c.var.services, c.req.valid('json').email);
    return c.json({ status: 'accepted' }, 202);
  })
  .post('/login', ...loginHandlers)
  .post('/signin', ...loginHandlers)
  .post('/refresh', jsonBody(refreshBody), async (c) =>
    c.json(await accounts.refresh(c.var.services, c.req.valid('json').refreshToken)),
  )
  .post('/logout', ...logoutHandlers)
  .post('/forgot-password', jsonBody(emailBody), async (c) => {
    await accounts.forgotPassword(c.var.services, c.req.valid('json').email);
    return c.json({ status: 'accepted' }, 202);
  })
  .post('/reset-password', jsonBody(resetPasswordBody), async (c) => {
    await accounts.resetPassword(c.var.services, c.req.valid('json'));
    return c.json({ status: 'password_reset' });
  });

export const aliasRoutes = new Hono<AppEnv>()
  .post('/user/register', ...registerHandlers)
  .post('/login', ...loginHandlers)
  .post('/logout', ...logoutHandlers);
