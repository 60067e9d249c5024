// A webhook receiver for the tests of events out: the queue the app sends deliveries to is
// captured, the Worker's queue consumer is run over them with outbound fetch going to this
// receiver, and every delivery is checked with the `standardwebhooks` package (written elsewhere,
// so a mistake in our signing cannot be mirrored in the check).
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import type { Env } from '../../src/config';
import type { DeliveryMessage, EventQueue } from '../../src/core/events/event-store';
import { createQueueHandler } from '../../src/events-queue';
import type { TestClock } from './harness';

export interface Delivery {
  url: string;
  id: string;
  headers: Record<string, string>;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { user: Record<string, string> } };
}

/** The queue the app hands deliveries to; `failNext` makes the next send throw. */
export function capturingQueue() {
  const messages: DeliveryMessage[] = [];
  let failures = 0;
  const queue: EventQueue = {
    async send(batch) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('queue unavailable');
      }
      messages.push(...batch);
    },
  };
  return {
    queue,
    messages,
    failNext: () => void (failures += 1),
    /** The messages for one endpoint, taken off the capture. */
    take(endpointId: string): DeliveryMessage[] {
      const mine = messages.filter((message) => message.endpointId === endpointId);
      for (const message of mine) messages.splice(messages.indexOf(message), 1);
      return mine;
    },
  };
}

export function createReceiver(answer: (delivery: Delivery) => number = () => 200) {
  const deliveries: Delivery[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = await request.text();
    const headers = Object.fromEntries(request.headers);
    const delivery: Delivery = {
      url: request.url,
      id: headers['webhook-id']!,
      headers,
      body,
      payload: JSON.parse(body) as Delivery['payload'],
    };
    deliveries.push(delivery);
    return new Response(null, { status: answer(delivery) });
  };
  return {
    fetch,
    deliveries,
    /** Throws unless the delivery's signature verifies with `secret`; answers the payload. */
    verify: (delivery: Delivery, secret: string) => new Webhook(secret).verify(delivery.body, delivery.headers),
  };
}

/** Runs the Worker's queue consumer over `messages`, as attempt number `attempts`. */
export async function consume(
  messages: DeliveryMessage[],
  options: { fetch: typeof fetch; clock: TestClock; attempts?: number; env?: Partial<Env> },
) {
  const batch = createMessageBatch<DeliveryMessage>(
    'latchkey-events',
    messages.map((body, index) => ({
      id: `msg-${index}`,
      timestamp: options.clock.now(),
      attempts: options.attempts ?? 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  const logs: string[] = [];
  await createQueueHandler({ fetch: options.fetch, clock: options.clock, log: (line) => logs.push(line) })(
    batch,
    { ...env, ...options.env } as Env,
    ctx,
  );
  return { result: await getQueueResult(batch, ctx), logs };
}
