// The Worker entry: the Latchkey app with the platform's own clock, fetch and console, and the
// scheduled cleanup of expired records run by the Cron Trigger in wrangler.toml.
import { createApp } from './app';
import type { Env } from './config';
import { createScheduledHandler } from './scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: createScheduledHandler(),
} satisfies ExportedHandler<Env>;
