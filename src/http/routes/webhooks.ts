// Events out over HTTP: the admin API's webhook endpoints (POST/GET /admin/webhooks, DELETE
// /admin/webhooks/:id, POST /admin/webhooks/:id/secret and /resume), the person's own activity
// (GET /auth/activity) and support's view of it (GET /admin/users/:id/activity).
import { Hono } from 'hono';
import { listActivity } from '../../core/events/activity';
import * as webhooks from '../../core/events/webhooks';
import type { AppEnv } from '../../web/context';
import { createWebhookBody, webhookIdParam } from '../../web/event-schemas';
import { userIdParam } from '../../web/schemas';
import { jsonBody, validParams } from '../json-body';
import { requireAuth } from '../require-auth';

/**
 * Mounted at /admin after adminRoutes, whose requireAdmin (key, rate limit, 404 while
 * ADMIN_API_KEY is unset) covers every /admin/* path: added here too, it would count each request
 * twice against RATE_LIMIT_ADMIN. test/http/webhooks.test.ts checks these routes refuse without the key.
 */
export const webhookAdminRoutes = new Hono<AppEnv>()
  .post('/webhooks', jsonBody(createWebhookBody), async (c) =>
    c.json(await webhooks.createWebhook(c.var.services, c.req.valid('json')), 201),
  )
  .get('/webhooks', async (c) => c.json({ webhooks: await webhooks.listWebhooks(c.var.services) }))
  .delete('/webhooks/:id', validParams(webhookIdParam), async (c) => {
    await webhooks.removeWebhook(c.var.services, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .post('/webhooks/:id/secret', validParams(webhookIdParam), async (c) =>
    c.json(await webhooks.rotateWebhookSecret(c.var.services, c.req.valid('param').id)),
  )
  .post('/webhooks/:id/resume', validParams(webhookIdParam), async (c) =>
    c.json({ webhook: await webhooks.resumeWebhook(c.var.services, c.req.valid('param').id) }),
  )
  .get('/users/:id/activity', validParams(userIdParam), async (c) =>
    c.json({ activity: await listActivity(c.var.services, c.req.valid('param').id) }),
  );

/** Mounted at /auth. */
export const activityRoutes = new Hono<AppEnv>().get('/activity', requireAuth, async (c) =>
  c.json({ activity: await listActivity(c.var.services, c.var.auth.user.id) }),
);
