// Webhook deliveries on Deno KV's queue (deno/kv-event-queue.ts): what the app sends arrives at
// the consumer as a one-message batch with its attempt number; a retry comes back as the next
// attempt; after the last attempt the delivery is kept as a dead letter, not retried.
import type {} from '@cloudflare/workers-types/index.ts';
import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { MAX_ATTEMPTS } from '../../src/core/events/delivery.ts';
import type { DeliveryMessage } from '../../src/core/events/event-store.ts';
import { createKvDeliveryQueue, listenForDeliveries } from '../kv-event-queue.ts';

/** Runs `body` on a fresh KV file with a listener; closes the store (which ends the listener) after. */
async function withQueue(
  consume: (batch: MessageBatch<DeliveryMessage>) => Promise<void>,
  body: (kv: Deno.Kv) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: 'latchkey-queue-' });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const listening = listenForDeliveries(kv, consume);
  try {
    await body(kv);
  } finally {
    kv.close();
    await listening.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

const message: DeliveryMessage = { eventId: 'evt_test', endpointId: 'wh_test' };

async function until(condition: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test('hands each sent delivery to the consumer as attempt 1, and an ack ends it', async () => {
  const seen: Array<{ body: DeliveryMessage; attempts: number }> = [];
  const consume = async (batch: MessageBatch<DeliveryMessage>) => {
    for (const received of batch.messages) {
      seen.push({ body: received.body, attempts: received.attempts });
      received.ack();
    }
  };
  await withQueue(consume, async (kv) => {
    await createKvDeliveryQueue(kv).sendBatch([{ body: message }, { body: { ...message, endpointId: 'wh_2' } }]);
    await until(() => seen.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  assertEquals(seen.map((entry) => [entry.body.endpointId, entry.attempts]).sort(), [
    ['wh_2', 1],
    ['wh_test', 1],
  ]);
});

Deno.test('retries a failed delivery as the next attempt, and keeps it as a dead letter after the last', async () => {
  const attempts: number[] = [];
  const consume = async (batch: MessageBatch<DeliveryMessage>) => {
    for (const received of batch.messages) {
      attempts.push(received.attempts);
      received.retry({ delaySeconds: 0 });
    }
  };
  await withQueue(consume, async (kv) => {
    await createKvDeliveryQueue(kv).sendBatch([{ body: message }]);
    const deadLetters = async () => (await Array.fromAsync(kv.list({ prefix: ['webhook_dead_letters'] }))).length;
    await until(async () => (await deadLetters()) === 1);
  });
  assertEquals(
    attempts,
    Array.from({ length: MAX_ATTEMPTS }, (_, index) => index + 1),
  );
});
