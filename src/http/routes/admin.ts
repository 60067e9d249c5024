// The admin API, for the deployer's tools and support staff (never for browsers): find users,
// look one up, disable or enable, end their sessions, delete, mark the address verified. Every
// route is behind requireAdmin. DELETE /admin/users/:id/mfa removes the second factors (support's
// answer to a user who lost both the app and the recovery codes).
import { Hono } from 'hono';
import * as admin from '../../core/admin/admin';
import type { AppEnv } from '../../web/context';
import { problemResponse } from '../../web/problem';
import { adminUsersQuery, userIdParam } from '../../web/schemas';
import { zValidator } from '@hono/zod-validator';
import { fieldIssuesOf, validParams } from '../json-body';
import { requireAdmin } from '../require-admin';

const validQuery = zValidator('query', adminUsersQuery, (result, c) => {
  if (!result.success) {
    return problemResponse(c, 'validation_failed', 'Some query parameters are not valid.', fieldIssuesOf(result.error));
  }
});

export const adminRoutes = new Hono<AppEnv>()
  .use(...requireAdmin)
  .get('/users', validQuery, async (c) => c.json(await admin.listUsers(c.var.services, c.req.valid('query'))))
  .get('/users/:id', validParams(userIdParam), async (c) =>
    c.json(await admin.getUser(c.var.services, c.req.valid('param').id)),
  )
  .post('/users/:id/disable', validParams(userIdParam), async (c) =>
    c.json({ user: await admin.setUserDisabled(c.var.services, c.req.valid('param').id, true) }),
  )
  .post('/users/:id/enable', validParams(userIdParam), async (c) =>
    c.json({ user: await admin.setUserDisabled(c.var.services, c.req.valid('param').id, false) }),
  )
  .post('/users/:id/sessions/revoke', validParams(userIdParam), async (c) => {
    await admin.revokeUserSessions(c.var.services, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .post('/users/:id/verify-email', validParams(userIdParam), async (c) =>
    c.json({ user: await admin.markUserEmailVerified(c.var.services, c.req.valid('param').id) }),
  )
  .delete('/users/:id/mfa', validParams(userIdParam), async (c) => {
    await admin.removeSecondFactors(c.var.services, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .delete('/users/:id', validParams(userIdParam), async (c) => {
    await admin.deleteUser(c.var.services, c.req.valid('param').id);
    return c.body(null, 204);
  });
