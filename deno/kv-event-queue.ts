// Webhook deliveries on Deno: Deno KV's queue stands in for Cloudflare Queues. The app sends
// through EVENTS_QUEUE (sendBatch, one KV enqueue per delivery, in one atomic commit); listenQueue
// runs the same consumer as the Worker (src/events-queue.ts) over a one-message batch. A retry is
// a new enqueue with the back-off as its delay and the attempt counted in the message; after the
// last attempt the delivery is kept under ['webhook_dead_letters', id], the dead-letter queue.
import type { DeliveryMessage } from '../src/core/events/event-store.ts';
import { MAX_ATTEMPTS } from '../src/core/events/delivery.ts';
import type { DeliveryQueueBinding } from '../src/storage/queue-event-queue.ts';

interface QueuedDelivery {
  kind: 'latchkey.delivery';
  id: string;
  body: DeliveryMessage;
  attempts: number;
}

const isQueuedDelivery = (value: unknown): value is QueuedDelivery =>
  typeof value === 'object' && value !== null && (value as QueuedDelivery).kind === 'latchkey.delivery';

export function createKvDeliveryQueue(kv: Deno.Kv): DeliveryQueueBinding {
  return {
    async sendBatch(messages) {
      const atomic = kv.atomic();
      for (const message of messages) {
        const queued: QueuedDelivery = {
          kind: 'latchkey.delivery',
          id: crypto.randomUUID(),
          body: message.body,
          attempts: 1,
        };
        atomic.enqueue(queued);
      }
      const result = await atomic.commit();
      if (!result.ok) throw new Error('Deno KV refused the enqueue');
    },
  };
}

/** Runs `run` (the Worker's queue consumer) for every delivery Deno KV hands back. */
export function listenForDeliveries(kv: Deno.Kv, run: (batch: MessageBatch<DeliveryMessage>) => Promise<void>) {
  return kv.listenQueue(async (value: unknown) => {
    if (!isQueuedDelivery(value)) return;
    let outcome: { retry: boolean; delaySeconds?: number } = { retry: false };
    const message = {
      id: value.id,
      timestamp: new Date(),
      body: value.body,
      attempts: value.attempts,
      ack() {
        outcome = { retry: false };
      },
      retry(options?: { delaySeconds?: number }) {
        outcome = { retry: true, delaySeconds: options?.delaySeconds };
      },
    };
    const batch = {
      queue: 'latchkey-events',
      messages: [message],
      ackAll: () => message.ack(),
      retryAll: (options?: { delaySeconds?: number }) => message.retry(options),
    } as unknown as MessageBatch<DeliveryMessage>;
    await run(batch);
    if (!outcome.retry) return;
    if (value.attempts >= MAX_ATTEMPTS) {
      await kv.set(['webhook_dead_letters', value.id], value);
      return;
    }
    const next: QueuedDelivery = { ...value, attempts: value.attempts + 1 };
    await kv.enqueue(next, { delay: (outcome.delaySeconds ?? 60) * 1000 });
  });
}
