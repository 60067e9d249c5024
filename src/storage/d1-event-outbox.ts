// The outbox statement that a D1 write adds to its own batch, so an event is stored in the same
// transaction as the change it reports. `if-changed` makes it conditional on the statement just
// before it in the batch having changed a row (SQLite's changes(), per connection, and a D1 batch
// runs on one): a compare-and-set that lost records nothing. `or ignore` keeps a retried batch
// (same event id) from failing on the second insert.
import { type EventData, KNOWN_DEVICE_MS, type OutboxEvent, type StoredEvent } from '../core/events/catalogue';

/** `exists` is an SQL condition over parameters ?6 on, given in `params`. */
export type EventCondition = 'always' | 'if-changed' | { exists: string; params: unknown[] };

const columns = 'insert or ignore into events (id, type, user_id, occurred_at, data, dispatched_at)';

/**
 * An event is stored as handed on (dispatched at the moment it happened) when no live endpoint
 * subscribes to its type (?2) at that moment (?4): then nothing need be sent after the request,
 * and a write that answers the returned row saves the request the dispatch round trip.
 */
const handedOnUnlessSubscribed = `case when exists (select 1 from webhook_endpoints w, json_each(w.events) subscribed
                                   where w.paused_at is null and subscribed.value = ?2)
  then null else ?4 end`;

/** The statement for a raw D1 batch (`d1.batch([...])`); it returns the stored row's `data, dispatched_at`. */
export function outboxStatement(d1: D1Database, event: OutboxEvent, when: EventCondition): D1PreparedStatement {
  const condition =
    when === 'always' ? '' : when === 'if-changed' ? ' where changes() > 0' : ` where exists (${when.exists})`;
  return d1
    .prepare(
      `${columns} select ?1, ?2, ?3, ?4, ?5, ${handedOnUnlessSubscribed}${condition} returning data, dispatched_at`,
    )
    .bind(
      event.id,
      event.type,
      event.userId,
      event.occurredAt,
      JSON.stringify(event.data),
      ...(typeof when === 'object' ? when.params : []),
    );
}

/**
 * The outbox statements of a session start (LoginStore.completeLogin), right after its session
 * insert: session.created is recorded with `newDevice` (true when the account has signed in
 * before, but not from this `device` in the last 90 days; read from known_devices in the same
 * transaction, so the notice costs no round trip), then the device is remembered, only if the
 * event was recorded. Like every event, it is stored as handed on when no live endpoint subscribes
 * to it, and the insert returns the row (`storedEventOf`), so a sign-in makes no round trip after
 * its answer to dispatch an event nobody wants. Other events: outboxStatement alone.
 */
export function outboxStatements(d1: D1Database, event: OutboxEvent, when: EventCondition): D1PreparedStatement[] {
  const device = event.data.device;
  if (event.type !== 'session.created' || typeof device !== 'string') return [outboxStatement(d1, event, when)];
  const condition = when === 'if-changed' ? ' where changes() > 0' : '';
  return [
    d1
      .prepare(
        `${columns} select ?1, ?2, ?3, ?4, json_set(?5, '$.newDevice', json(case
           when exists (select 1 from known_devices where user_id = ?3)
             and not exists (select 1 from known_devices where user_id = ?3 and device = ?6 and last_seen_at > ?7)
           then 'true' else 'false' end)), ${handedOnUnlessSubscribed}${condition}
         returning data, dispatched_at`,
      )
      .bind(
        event.id,
        event.type,
        event.userId,
        event.occurredAt,
        JSON.stringify(event.data),
        device,
        event.occurredAt - KNOWN_DEVICE_MS,
      ),
    d1
      .prepare(
        `insert into known_devices (user_id, device, last_seen_at)
         select ?1, ?2, ?3 where exists (select 1 from events where id = ?4)
         on conflict (user_id, device) do update set last_seen_at = excluded.last_seen_at`,
      )
      .bind(event.userId, device, event.occurredAt, event.id),
  ];
}

/** The event as an outbox statement stored it; null when it stored nothing (or was not the outbox's). */
export function storedEventOf(event: OutboxEvent, result: D1Result | undefined): StoredEvent | null {
  const row = result?.results[0] as { data: string; dispatched_at: number | null } | undefined;
  if (!row) return null;
  return { event: { ...event, data: JSON.parse(row.data) as EventData }, awaitsDispatch: row.dispatched_at === null };
}
