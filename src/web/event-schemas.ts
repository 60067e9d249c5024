// Request bodies and parameters of events out: webhook endpoints (admin API).
import { EVENT_TYPES } from '../core/events/catalogue';
import * as z from '../zod';

export const createWebhookBody = z.strictObject({
  url: z.string().check(z.minLength(1, 'is required'), z.maxLength(2048)),
  events: z
    .array(z.enum(EVENT_TYPES))
    .check(z.minLength(1, 'name at least one event'), z.maxLength(EVENT_TYPES.length * 2)),
});

export const webhookIdParam = z.object({
  id: z.string().check(z.regex(/^wh_[A-Za-z0-9_-]{1,64}$/, 'is not a webhook id')),
});
