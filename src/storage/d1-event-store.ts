// EventStore on D1: the outbox read side and the activity trail. Rows are written by the other
// D1 stores' batches (d1-event-outbox.ts); this module reads, marks and ages them out.
import type { EventData, EventType, OutboxEvent } from '../core/events/catalogue';
import type { EventStore } from '../core/events/event-store';
import { type EndpointRow, endpointOfRow } from './d1-webhook-store';

interface EventRow {
  id: string;
  type: string;
  user_id: string;
  occurred_at: number;
  data: string;
}

const eventColumns = 'id, type, user_id, occurred_at, data';

function eventOfRow(row: EventRow): OutboxEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    userId: row.user_id,
    occurredAt: row.occurred_at,
    data: JSON.parse(row.data) as EventData,
  };
}

export function createD1EventStore(d1: D1Database): EventStore {
  const all = async (statement: D1PreparedStatement) => (await statement.all<EventRow>()).results.map(eventOfRow);
  return {
    async prepareDispatch(ids, now) {
      // The reads come before the update in the batch, so they still see the rows it marks.
      const list = JSON.stringify(ids);
      const [events, endpoints] = await d1.batch([
        d1
          .prepare(
            `select ${eventColumns} from events
             where id in (select value from json_each(?1)) and dispatched_at is null order by occurred_at, rowid`,
          )
          .bind(list),
        d1.prepare('select * from webhook_endpoints where paused_at is null order by created_at, id'),
        d1
          .prepare(
            `update events set dispatched_at = ?2
             where id in (select value from json_each(?1)) and dispatched_at is null
               and not exists (select 1 from webhook_endpoints w, json_each(w.events) subscribed
                               where w.paused_at is null and subscribed.value = events.type)`,
          )
          .bind(list, now),
      ]);
      return {
        events: (events!.results as EventRow[]).map(eventOfRow),
        endpoints: (endpoints!.results as EndpointRow[]).map(endpointOfRow),
      };
    },
    listUndispatched: (before, limit) =>
      all(
        d1
          .prepare(
            `select ${eventColumns} from events where dispatched_at is null and occurred_at < ?1
             order by occurred_at, rowid limit ?2`,
          )
          .bind(before, limit),
      ),
    async markDispatched(ids, now) {
      await d1
        .prepare('update events set dispatched_at = ?2 where id in (select value from json_each(?1))')
        .bind(JSON.stringify(ids), now)
        .run();
    },
    async find(id) {
      const row = await d1.prepare(`select ${eventColumns} from events where id = ?1`).bind(id).first<EventRow>();
      return row && eventOfRow(row);
    },
    listForUser: (userId, since, limit) =>
      all(
        d1
          .prepare(
            `select ${eventColumns} from events where user_id = ?1 and occurred_at >= ?2
             order by occurred_at desc, rowid desc limit ?3`,
          )
          .bind(userId, since, limit),
      ),
    async deleteBefore(before, limit) {
      const result = await d1
        .prepare('delete from events where id in (select id from events where occurred_at < ?1 limit ?2)')
        .bind(before, limit)
        .run();
      return result.meta.changes;
    },
  };
}
