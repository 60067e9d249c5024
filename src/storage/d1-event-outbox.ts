// The outbox statement that a D1 write adds to its own batch, so an event is stored in the same
// transaction as the change it reports. `if-changed` makes it conditional on the statement just
// before it in the batch having changed a row (SQLite's changes(), per connection, and a D1 batch
// runs on one): a compare-and-set that lost records nothing. `or ignore` keeps a retried batch
// (same event id) from failing on the second insert.
import { sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { OutboxEvent } from '../core/events/catalogue';
import { events } from './schema';

/** `exists` is an SQL condition over parameters ?6 on, given in `params`. */
export type EventCondition = 'always' | 'if-changed' | { exists: string; params: unknown[] };

const columns = 'insert or ignore into events (id, type, user_id, occurred_at, data)';

/** The statement for a raw D1 batch (`d1.batch([...])`). */
export function outboxStatement(d1: D1Database, event: OutboxEvent, when: EventCondition): D1PreparedStatement {
  const condition =
    when === 'always' ? '' : when === 'if-changed' ? ' where changes() > 0' : ` where exists (${when.exists})`;
  return d1
    .prepare(`${columns} select ?1, ?2, ?3, ?4, ?5${condition}`)
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
 * The same statement for a drizzle batch (drizzle batches only its own query builders). Drizzle
 * names every column of the table, in schema order, so the select gives dispatched_at too.
 */
export function outboxInsert(db: DrizzleD1Database, event: OutboxEvent, when: 'always' | 'if-changed') {
  const data = JSON.stringify(event.data);
  const values = sql`select ${event.id}, ${event.type}, ${event.userId}, ${event.occurredAt}, ${data}, null`;
  return db
    .insert(events)
    .select(when === 'if-changed' ? sql`${values} where changes() > 0` : values)
    .onConflictDoNothing();
}
