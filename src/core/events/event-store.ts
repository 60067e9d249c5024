// The ports of events out, in a file of their own so that services.ts, which lists the ports,
// imports no flow. Events are written by the storage writes that make the changes (each write
// port takes an optional OutboxEvent); these ports read the outbox, keep the webhook endpoints and
// hand deliveries to the queue.
import type { EventType, OutboxEvent } from './catalogue';

/** The outbox, which is also the per-account activity trail. */
export interface EventStore {
  /**
   * In one round trip: the events among `ids` not yet handed to the queue (the rest are gone or
   * already dispatched) and the endpoints that are not paused; those events no such endpoint
   * subscribes to are marked dispatched at `now` in the same trip (nothing to send).
   */
  prepareDispatch(
    ids: readonly string[],
    now: number,
  ): Promise<{ events: OutboxEvent[]; endpoints: WebhookEndpoint[] }>;
  /** Up to `limit` events not yet handed to the queue that happened before `before`, oldest first. */
  listUndispatched(before: number, limit: number): Promise<OutboxEvent[]>;
  markDispatched(ids: readonly string[], now: number): Promise<void>;
  find(id: string): Promise<OutboxEvent | null>;
  /** The user's events since `since`, newest first (of one moment, the last recorded first). */
  listForUser(userId: string, since: number, limit: number): Promise<OutboxEvent[]>;
  /** Deletes up to `limit` events that happened before `before`; answers how many went. */
  deleteBefore(before: number, limit: number): Promise<number>;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: EventType[];
  secretCiphertext: string;
  /** The secret before the last rotation, which still signs until `previousSecretExpiresAt`. */
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  /** When the first of the failed attempts since the last success was made; null while healthy. */
  failingSince: number | null;
  /** When the endpoint was paused for failing; nothing is sent to it until it is resumed. */
  pausedAt: number | null;
}

export interface WebhookStore {
  add(endpoint: WebhookEndpoint): Promise<void>;
  list(): Promise<WebhookEndpoint[]>;
  find(id: string): Promise<WebhookEndpoint | null>;
  /** False when there was no such endpoint. */
  remove(id: string): Promise<boolean>;
  /** Puts a new secret in place; the current one becomes the previous one until `previousExpiresAt`. */
  rotateSecret(id: string, secretCiphertext: string, previousExpiresAt: number): Promise<boolean>;
  /**
   * Records one delivery attempt. A success clears `failingSince`; a failure sets it if unset,
   * and pauses the endpoint when it has been failing since `pauseIfFailingSince` or before.
   */
  recordAttempt(id: string, outcome: { ok: boolean; now: number; pauseIfFailingSince: number }): Promise<void>;
  /** Unpauses the endpoint and forgets its failures; false when there is no such endpoint. */
  resume(id: string): Promise<boolean>;
}

/** One delivery: one event to one endpoint. Its attempts all carry the event id as webhook-id. */
export interface DeliveryMessage {
  eventId: string;
  endpointId: string;
}

/** Where deliveries wait for the consumer: Cloudflare Queues, or Deno KV's queue. */
export interface EventQueue {
  send(messages: readonly DeliveryMessage[]): Promise<void>;
}

/** Where a request came from, as the platform tells (Cloudflare's request.cf); null when unknown. */
export interface ClientLocation {
  country: string | null;
  city: string | null;
}
