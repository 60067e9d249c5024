// The Worker entry: the Latchkey app with the platform's own clock, fetch and console, and the
// scheduled cleanup of expired records run by the Cron Trigger in wrangler.toml, and the webhook
// deliveries of the EVENTS_QUEUE consumer.
import { createApp } from './app';
import type { Env } from './config';
import type { DeliveryMessage } from './core/events/event-store';
import { createScheduledHandler } from './scheduled';
import { createQueueHandler } from './events-queue';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: createScheduledHandler(),
  queue: createQueueHandler(),
} satisfies ExportedHandler<Env, DeliveryMessage>;
