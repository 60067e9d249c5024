// The signed-in person's OpenID Provider grants through the API: GET /auth/connected-apps lists the
// apps they allowed, DELETE /auth/connected-apps/:clientId withdraws one (its tokens stop at once).
import { Hono } from 'hono';
import { AuthError } from '../../core/kit/errors';
import { disconnectApp, listConnectedApps } from '../../core/oauth-server/grant-access';
import type { AppEnv } from '../../web/context';
import { clientIdParam } from '../../web/oauth-client-schemas';
import { validParams } from '../json-body';
import { requireAuth } from '../require-auth';

export const connectedAppRoutes = new Hono<AppEnv>()
  .get('/connected-apps', requireAuth, async (c) =>
    c.json({ apps: await listConnectedApps(c.var.services, c.var.auth.user.id) }),
  )
  .delete('/connected-apps/:id', requireAuth, validParams(clientIdParam), async (c) => {
    if (!(await disconnectApp(c.var.services, c.var.auth.user, c.req.valid('param').id))) {
      throw new AuthError('not_found', 'You have not connected this app.');
    }
    return c.body(null, 204);
  });
