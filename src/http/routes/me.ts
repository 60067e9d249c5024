import { Hono } from 'hono';
import { deleteAccount } from '../../core/accounts/account-changes';
import { toPublicUser } from '../../core/accounts/users';
import type { AppEnv } from '../../web/context';
import { limitPerClient } from '../../web/rate-limit';
import { jsonBody } from '../json-body';
import { requireAuth } from '../require-auth';
import { reauthenticationBody } from '../../web/proof-schemas';
import { clearSessionCookies } from '../../web/session-cookies';

export const meRoutes = new Hono<AppEnv>()
  .get('/', requireAuth, (c) => c.json(toPublicUser(c.var.auth.user)))
  // A password (and code) check, under the credential routes' per-client limit like the page's form.
  .delete(
    '/',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'delete-account'),
    requireAuth,
    jsonBody(reauthenticationBody),
    async (c) => {
      await deleteAccount(c.var.services, c.var.auth, c.req.valid('json'));
      clearSessionCookies(c);
      return c.body(null, 204);
    },
  );
