// EventQueue on a Cloudflare Queues producer binding (EVENTS_QUEUE in wrangler.toml), or on any
// object with the same sendBatch (Deno's, over Deno KV's queue: deno/kv-event-queue.ts).
import type { DeliveryMessage, EventQueue } from '../core/events/event-store';

/** What the producer side needs of a queue: a Cloudflare Queue binding has it. */
export interface DeliveryQueueBinding {
  sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>): Promise<unknown>;
}

export function createQueueEventQueue(binding: DeliveryQueueBinding | undefined): EventQueue {
  return {
    async send(messages) {
      // Without a queue, an event with a subscribed endpoint stays in the outbox (undispatched)
      // and the failure is logged by the deferred task: configure EVENTS_QUEUE to deliver.
      if (!binding) throw new Error('no EVENTS_QUEUE binding: webhooks cannot be delivered');
      await binding.sendBatch(messages.map((body) => ({ body, contentType: 'json' })));
    },
  };
}
