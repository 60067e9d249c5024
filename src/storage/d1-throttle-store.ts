// ThrottleStore on D1: one upsert per event, so concurrent hits are counted exactly.
import type { ThrottleStore } from '../core/mail/throttle';

export function createD1ThrottleStore(d1: D1Database): ThrottleStore {
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
      if (keys.length > 0) {
        const placeholders = keys.map((_, index) => `?${index + 1}`).join(', ');
        await d1
          .prepare(`delete from throttle_counters where key in (${placeholders})`)
          .bind(...keys)
          .run();
      }
    },
  };
}
