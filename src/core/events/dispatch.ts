// From the outbox to the queue. After a request's write, its new event's deliveries (one message
// per subscribed endpoint) are sent to the queue and the row marked dispatched; if that send
// fails, the row stays undispatched and the scheduled sweep sends it later, so nothing is lost
// (a crash between the send and the mark sends it twice: delivery is at least once, and the
// webhook-id lets receivers drop the repeat).
import type { AccountServices } from '../services';
import type { OutboxEvent } from './catalogue';
import type { DeliveryMessage } from './event-store';

/** Cloudflare Queues takes at most 100 messages per sendBatch. */
const QUEUE_BATCH = 100;
/** The sweep leaves events younger than this to the request that wrote them. */
export const SWEEP_GRACE_MS = 60_000;
export const SWEEP_LIMIT = 100;

export type DispatchServices = Pick<AccountServices, 'events' | 'webhooks' | 'eventQueue' | 'clock'>;

export async function dispatchEvents(services: DispatchServices, events: readonly OutboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const endpoints = (await services.webhooks.list()).filter((endpoint) => endpoint.pausedAt === null);
  const messages: DeliveryMessage[] = events.flatMap((event) =>
    endpoints
      .filter((endpoint) => endpoint.events.includes(event.type))
      .map((endpoint) => ({ eventId: event.id, endpointId: endpoint.id })),
  );
  for (let start = 0; start < messages.length; start += QUEUE_BATCH) {
    await services.eventQueue.send(messages.slice(start, start + QUEUE_BATCH));
  }
  await services.events.markDispatched(
    events.map((event) => event.id),
    services.clock.now(),
  );
  return messages.length;
}

/**
 * Call after the write that recorded `event` succeeded: its deliveries go to the queue after the
 * response. An event whose write did not happen is not in the outbox, and sends nothing.
 */
export function publishEvent(services: DispatchServices & Pick<AccountServices, 'defer'>, event: OutboxEvent): void {
  services.defer(async () => {
    await dispatchEvents(services, await services.events.findUndispatched([event.id]));
  });
}

/** The scheduled sweep: events a request did not manage to hand to the queue. */
export async function sweepOutbox(services: DispatchServices): Promise<number> {
  const pending = await services.events.listUndispatched(services.clock.now() - SWEEP_GRACE_MS, SWEEP_LIMIT);
  await dispatchEvents(services, pending);
  return pending.length;
}

/** What a flow that records events needs: the outbox, the endpoints, the queue and `defer`. */
export type EventServices = DispatchServices & Pick<AccountServices, 'defer'>;
