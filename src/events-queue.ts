// The Worker's queue consumer: one message is one delivery (one event to one endpoint). A 2xx
// acknowledges it; a failure retries it with the back-off of src/core/events/delivery.ts, and
// after the last attempt (wrangler.toml max_retries = MAX_ATTEMPTS - 1) Cloudflare moves it to the
// dead-letter queue. Messages of one batch are attempted in parallel, each bounded by its 10 s.
import type { Env } from './config';
import { type DeliveryOutcome, attemptDelivery } from './core/events/delivery';
import type { DeliveryMessage } from './core/events/event-store';
import { consoleSink } from './log-sink';
import { type ServiceOverrides, createEventServices } from './services';

export function createQueueHandler(
  overrides: Pick<ServiceOverrides, 'clock' | 'fetch' | 'log' | 'wrapStorage'> = {},
): ExportedHandlerQueueHandler<Env, DeliveryMessage> {
  const log = overrides.log ?? consoleSink;
  return async (batch, env) => {
    const services = createEventServices(env, overrides);
    await Promise.all(
      batch.messages.map(async (message) => {
        let outcome: DeliveryOutcome;
        try {
          outcome = await attemptDelivery(services, message.body, message.attempts);
        } catch (error) {
          // Storage trouble, not the endpoint's: try again soon, counted as an attempt.
          log(
            JSON.stringify({
              level: 'warn',
              event: 'webhook.error',
              error: error instanceof Error ? error.name : 'unknown',
            }),
          );
          message.retry({ delaySeconds: 60 });
          return;
        }
        const line = {
          ...message.body,
          attempt: message.attempts,
          outcome: outcome.kind,
          ...(outcome.kind === 'retry' ? { delaySeconds: outcome.delaySeconds } : {}),
        };
        log(
          JSON.stringify({ level: outcome.kind === 'exhausted' ? 'error' : 'info', event: 'webhook.attempt', ...line }),
        );
        if (outcome.kind === 'delivered' || outcome.kind === 'dropped') message.ack();
        else if (outcome.kind === 'retry') message.retry({ delaySeconds: outcome.delaySeconds });
        else message.retry();
      }),
    );
  };
}
