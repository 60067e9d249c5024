// ThrottleStore on D1: one upsert per event, so concurrent hits are counted exactly.
import { inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { ThrottleStore } from '../core/mail/throttle';
import { throttleCounters } from './schema';

export function createD1ThrottleStore(d1: D1Database): ThrottleStore {
  const db = drizzle(d1);
  // One statement: a new window restarts the count at 1.
  const hitStatement = d1.prepare(`
    insert into throttle_counters (key, count, window_started_at) values (?1, 1, ?2)
    on conflict (key) do update set
      count = case when window_started_at <= ?2 - ?3 then 1 else count + 1 end,
      window_started_at = case when window_started_at <= ?2 - ?3 then ?2 else window_started_at end
    returning count`);

  return {
    async hit(key, { now, windowMs }) {
      const row = await hitStatement.bind(key, now, windowMs).first<{ count: number }>();
      return row?.count ?? 1;
    },

    async clear(keys) {
      if (keys.length > 0) await db.delete(throttleCounters).where(inArray(throttleCounters.key, keys));
    },
  };
}
