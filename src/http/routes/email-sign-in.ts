// Sign-in by email, mounted under /auth: ask for a mail with a link and a code, then verify
// either. The verify answers exactly like the login (tokens and cookies, or mfa_required).
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { requestEmailSignIn, verifyEmailSignIn } from '../../core/email-sign-in/email-sign-in';
import type { AppEnv } from '../../web/context';
import { emailSignInBody, emailSignInVerifyBody } from '../../web/email-sign-in-schemas';
import { problemResponse } from '../../web/problem';
import { limitPerClient } from '../../web/rate-limit';
import { setSessionCookies } from '../../web/session-cookies';
import { describeUserAgent } from '../../web/user-agent';
import { jsonBody } from '../json-body';

/** With EMAIL_SIGN_IN=off the routes do not exist: 404 before anything is read. */
const whenOn = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.services.settings.emailSignIn.enabled) {
    return problemResponse(c, 'not_found', `There is no route ${c.req.method} ${c.req.path}.`);
  }
  await next();
});

export const emailSignInRoutes = new Hono<AppEnv>()
  .use('/email-sign-in', whenOn)
  .use('/email-sign-in/*', whenOn)
  .post('/email-sign-in', limitPerClient('RATE_LIMIT_MAIL', 'email-sign-in'), jsonBody(emailSignInBody), async (c) => {
    await requestEmailSignIn(c.var.services, c.req.valid('json'));
    return c.json({ status: 'accepted' }, 202);
  })
  .post(
    '/email-sign-in/verify',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'login'),
    jsonBody(emailSignInVerifyBody),
    async (c) => {
      const tokens = await verifyEmailSignIn(c.var.services, {
        ...c.req.valid('json'),
        userAgent: describeUserAgent(c.req.header('user-agent')),
      });
      setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
      return c.json(tokens);
    },
  );
