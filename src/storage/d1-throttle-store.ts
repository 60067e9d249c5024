// ThrottleStore on D1: one upsert per event, so concurrent hits are counted exactly.
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { ThrottleStore } from '../core/throttle';
import { throttleCounters } from './schema';

export function createD1ThrottleStore(d1: D1Database): ThrottleStore {
  const db = drizzle(d1);
  // One statement: a new window restarts the count at 1; reaching blockAt sets blocked_until.
  const hitStatement = d1.prepare(`
    insert into throttle_counters (key, count, window_started_at, blocked_until) values (?1, 1, ?2, case when ?4 <= 1 then ?2 + ?5 end)
    on conflict (key) do update set
      count = case when window_started_at <= ?2 - ?3 then 1 else count + 1 end,
      window_started_at = case when window_started_at <= ?2 - ?3 then ?2 else window_started_at end,
      blocked_until = case
        when (case when window_started_at <= ?2 - ?3 then 1 else count + 1 end) >= ?4 then ?2 + ?5
        else blocked_until end
    returning count`);

  return {
    async hit(key, { now, windowMs, blockAt = Number.MAX_SAFE_INTEGER, blockMs = 0 }) {
      const row = await hitStatement.bind(key, now, windowMs, blockAt, blockMs).first<{ count: number }>();
      return row?.count ?? 1;
    },

    async clear(key) {
      await db.delete(throttleCounters).where(eq(throttleCounters.key, key));
    },
  };
}
