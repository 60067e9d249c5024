// From the outbox to the queue. After a request's write, its new event's deliveries (one message
// per subscribed endpoint) are sent to the queue and the row marked dispatched, in one D1 round
// trip when no endpoint subscribes (the common case) and two when some do. If the send fails, the
// row stays undispatched and the scheduled sweep sends it later, so nothing is lost (a crash
// between the send and the mark sends it twice: delivery is at least once, and the webhook-id
// lets receivers drop the repeat).
import type { AccountServices } from '../services';
import type { OutboxEvent, StoredEvent } from './catalogue';
import type { DeliveryMessage } from './event-store';

/** Cloudflare Queues takes at most 100 messages per sendBatch. */
const QUEUE_BATCH = 100;
/** The sweep leaves events younger than this to the request that wrote them. */
export const SWEEP_GRACE_MS = 60_000;
export const SWEEP_LIMIT = 100;

export type DispatchServices = Pick<AccountServices, 'events' | 'eventQueue' | 'clock'>;

/** What a flow that records events needs: the outbox, the queue and `defer`. */
export type EventServices = DispatchServices & Pick<AccountServices, 'defer'>;

/** Hands the deliveries of the undispatched events among `ids` to the queue; answers the events. */
export async function dispatchEvents(services: DispatchServices, ids: readonly string[]): Promise<OutboxEvent[]> {
  if (ids.length === 0) return [];
  const { events, endpoints } = await services.events.prepareDispatch(ids, services.clock.now());
  const messages: DeliveryMessage[] = events.flatMap((event) =>
    endpoints
      .filter((endpoint) => endpoint.events.includes(event.type))
      .map((endpoint) => ({ eventId: event.id, endpointId: endpoint.id })),
  );
  if (messages.length === 0) return events;
  for (let start = 0; start < messages.length; start += QUEUE_BATCH) {
    await services.eventQueue.send(messages.slice(start, start + QUEUE_BATCH));
  }
  await services.events.markDispatched([...new Set(messages.map((message) => message.eventId))], services.clock.now());
  return events;
}

/**
 * Call after the write that recorded `event` succeeded: its deliveries go to the queue after the
 * response. An event whose write did not happen is not in the outbox, and sends nothing. `then`
 * gets the event as stored (session.created gains `newDevice` there), after it was handed on.
 */
export function publishEvent(
  services: EventServices,
  event: OutboxEvent,
  then?: (recorded: OutboxEvent) => void,
): void {
  services.defer(async () => {
    const [recorded] = await dispatchEvents(services, [event.id]);
    if (recorded && then) then(recorded);
  });
}

/**
 * publishEvent for a write that answered how it stored its event: when no live endpoint
 * subscribes, the event is already marked handed on, and `then` runs without a round trip.
 */
export function publishStoredEvent(
  services: EventServices,
  stored: StoredEvent | null,
  then?: (recorded: OutboxEvent) => void,
): void {
  if (!stored) return;
  if (stored.awaitsDispatch) publishEvent(services, stored.event, then);
  else then?.(stored.event);
}

/** The scheduled sweep: events a request did not manage to hand to the queue. */
export async function sweepOutbox(services: DispatchServices): Promise<number> {
  const pending = await services.events.listUndispatched(services.clock.now() - SWEEP_GRACE_MS, SWEEP_LIMIT);
  await dispatchEvents(
    services,
    pending.map((event) => event.id),
  );
  return pending.length;
}
