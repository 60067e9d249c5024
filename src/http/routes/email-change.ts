// Changing the account's email: asked for while signed in (with the password), confirmed by the
// link mailed to the new address. Mounted under /auth.
import { Hono } from 'hono';
import { confirmEmailChange, requestEmailChange } from '../../core/accounts/email-change';
import type { AppEnv } from '../../web/context';
import { limitPerClient } from '../../web/rate-limit';
import { changeEmailBody } from '../../web/proof-schemas';
import { tokenBody } from '../../web/schemas';
import { jsonBody } from '../json-body';
import { requireAuth } from '../require-auth';

export const emailChangeRoutes = new Hono<AppEnv>()
  .post(
    '/change-email',
    limitPerClient('RATE_LIMIT_MAIL', 'change-email'),
    requireAuth,
    jsonBody(changeEmailBody),
    async (c) => {
      await requestEmailChange(c.var.services, c.var.auth, c.req.valid('json'));
      return c.json({ status: 'accepted' }, 202);
    },
  )
  .post(
    '/confirm-email-change',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'confirm-email-change'),
    jsonBody(tokenBody),
    async (c) => {
      const user = await confirmEmailChange(c.var.services, c.req.valid('json').token);
      return c.json({ user });
    },
  );
