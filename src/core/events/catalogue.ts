// The event catalogue: what Latchkey tells webhooks and the person's activity trail about an
// account. An event is recorded by the storage write that makes the change (the outbox, written in
// the same transaction), so a change that rolls back or loses its compare-and-set records nothing.
// `data` names the user and says what happened; it never holds a secret, hash or token.
import { generateToken } from '../kit/random-token';

export const EVENT_TYPES = [
  'user.created',
  'user.email_verified',
  'user.email_changed',
  'user.password_changed',
  'user.password_reset',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'session.created',
  'session.revoked',
  'mfa.enabled',
  'mfa.disabled',
  'passkey.added',
  'passkey.removed',
  'identity.linked',
  'identity.unlinked',
  'consent.granted',
  'consent.revoked',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(name: string): name is EventType {
  return (EVENT_TYPES as readonly string[]).includes(name);
}

/** A sign-in's device is new when the account has not signed in from it for this long. */
export const KNOWN_DEVICE_MS = 90 * 24 * 60 * 60 * 1000;

/** The account an event is about, as it was when the event happened. */
export interface EventUser {
  id: string;
  username: string;
  email: string;
}

/** `user` always; the rest by type: a session's `method`, `device` and `newDevice`, a passkey's `name`. */
export interface EventData {
  user: EventUser;
  [detail: string]: string | number | boolean | null | EventUser | undefined;
}

/** One event as the outbox keeps it: its id is the webhook-id of every delivery of it. */
export interface OutboxEvent {
  id: string;
  type: EventType;
  userId: string;
  occurredAt: number;
  data: EventData;
}

/**
 * An event as the write that recorded it stored it: `data` as the database completed it
 * (session.created's `newDevice`), and whether a live endpoint subscribes to it. A write that
 * says so lets the request skip the dispatch round trip when none does (it is stored as handed on).
 */
export interface StoredEvent {
  event: OutboxEvent;
  awaitsDispatch: boolean;
}

/** The event a flow hands to the storage write that makes the change. */
export function newEvent(
  type: EventType,
  user: EventUser,
  now: number,
  details: Omit<EventData, 'user'> = {},
): OutboxEvent {
  const data: EventData = { user: { id: user.id, username: user.username, email: user.email } };
  for (const [key, value] of Object.entries(details)) if (value !== undefined) data[key] = value;
  return { id: `evt_${generateToken(16)}`, type, userId: user.id, occurredAt: now, data };
}

/** What a webhook receives (and the activity trail shows): `{ type, timestamp, data }`. */
export interface EventPayload {
  type: EventType;
  timestamp: string;
  data: EventData;
}

export function eventPayload(event: OutboxEvent): EventPayload {
  return { type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data: event.data };
}
