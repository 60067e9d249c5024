// The JSON account API: register, verify the email, change or reset the password. The register
// handlers are built once with Hono's factory so the /user/register alias shares them.
import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import * as accounts from '../../core/accounts/accounts';
import { changePassword } from '../../core/accounts/account-changes';
import { registerAndSignIn } from '../../core/accounts/sign-up';
import type { AppEnv } from '../../web/context';
import { limitPerClient } from '../../web/rate-limit';
import { changePasswordBody } from '../../web/proof-schemas';
import { emailBody, registerBody, resetPasswordBody, tokenBody } from '../../web/schemas';
import { setSessionCookies } from '../../web/session-cookies';
import { describeUserAgent } from '../../web/user-agent';
import { jsonBody } from '../json-body';
import { requireAuth } from '../require-auth';

export const registerHandlers = createFactory<AppEnv>().createHandlers(
  limitPerClient('RATE_LIMIT_CREDENTIALS', 'register'),
  jsonBody(registerBody),
  async (c) => {
    const { services } = c.var;
    if (services.settings.emailVerification === 'optional') {
      // EMAIL_VERIFICATION=optional: the new account is signed in at once, like a login.
      const tokens = await registerAndSignIn(services, {
        ...c.req.valid('json'),
        userAgent: describeUserAgent(c.req.header('user-agent')),
      });
      setSessionCookies(c, tokens, services.settings.sessionTtlSeconds);
      return c.json(tokens, 201);
    }
    const user = await accounts.register(services, c.req.valid('json'));
    return c.json({ user }, 201);
  },
);

export const accountRoutes = new Hono<AppEnv>()
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
