// Events out (src/http/routes/webhooks.ts): webhook endpoints on the admin API and the security
// activity trail. Response schemas are here rather than in ../response-schemas.ts: only these
// routes use them.
import * as z from 'zod';
import { EVENT_TYPES } from '../../core/events/catalogue';
import { createWebhookBody } from '../../web/event-schemas';
import type { RouteDoc } from './route-doc';

const webhookSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)),
  createdAt: z.iso.datetime(),
  failingSince: z.iso
    .datetime()
    .nullable()
    .meta({ description: 'Since when its attempts have failed without a success; null while healthy.' }),
  pausedAt: z.iso
    .datetime()
    .nullable()
    .meta({ description: 'When it was paused after failing for 24 hours; null while active.' }),
});

const secretSchema = z.string().meta({ description: 'The signing secret, `whsec_...`: shown only in this answer.' });

const activitySchema = z.strictObject({
  activity: z.array(
    z.strictObject({
      id: z.string().meta({ description: 'The event id, also the `webhook-id` of its deliveries.' }),
      type: z.enum(EVENT_TYPES),
      timestamp: z.iso.datetime(),
      details: z
        .record(z.string(), z.unknown())
        .meta({ description: 'What the event says beyond the user: `method`, `device`, `sessionId`, `by`, ...' }),
    }),
  ),
});

export const eventsRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/auth/activity',
    tag: 'Activity',
    summary: "The caller's security activity of the last 90 days, newest first (at most 50).",
    auth: true,
    responses: { 200: { description: 'The activity.', json: activitySchema } },
  },
  {
    method: 'get',
    path: '/admin/users/:id/activity',
    tag: 'Admin',
    summary: "A user's security activity of the last 90 days, newest first (at most 50).",
    admin: true,
    responses: { 200: { description: 'The activity.', json: activitySchema } },
    problems: ['validation_failed'],
  },
  {
    method: 'post',
    path: '/admin/webhooks',
    tag: 'Webhooks',
    summary: 'Register a webhook endpoint for some events.',
    description:
      'The URL must be absolute https (plain http only to localhost or 127.0.0.1). Deliveries are signed ' +
      'with the Standard Webhooks scheme; see docs/events.md.',
    admin: true,
    body: createWebhookBody,
    responses: {
      201: {
        description: 'The endpoint and its signing secret.',
        json: z.strictObject({ webhook: webhookSchema, secret: secretSchema }),
      },
    },
  },
  {
    method: 'get',
    path: '/admin/webhooks',
    tag: 'Webhooks',
    summary: 'Every webhook endpoint (without secrets).',
    admin: true,
    responses: { 200: { description: 'The endpoints.', json: z.strictObject({ webhooks: z.array(webhookSchema) }) } },
  },
  {
    method: 'delete',
    path: '/admin/webhooks/:id',
    tag: 'Webhooks',
    summary: 'Remove an endpoint; deliveries already queued for it are dropped.',
    admin: true,
    responses: { 204: { description: 'Removed.' } },
    problems: ['validation_failed', 'not_found'],
  },
  {
    method: 'post',
    path: '/admin/webhooks/:id/secret',
    tag: 'Webhooks',
    summary: 'Rotate the signing secret; the previous one keeps signing beside it for 24 hours.',
    admin: true,
    responses: { 200: { description: 'The new secret.', json: z.strictObject({ secret: secretSchema }) } },
    problems: ['validation_failed', 'not_found'],
  },
  {
    method: 'post',
    path: '/admin/webhooks/:id/resume',
    tag: 'Webhooks',
    summary: 'Resume an endpoint paused for failing; events from the pause are not sent.',
    admin: true,
    responses: { 200: { description: 'The endpoint.', json: z.strictObject({ webhook: webhookSchema }) } },
    problems: ['validation_failed', 'not_found'],
  },
];
