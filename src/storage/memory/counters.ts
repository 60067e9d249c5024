// The counter arithmetic of the D1 upserts (d1-login-store.ts, d1-throttle-store.ts), on rows in
// memory. Kept line for line with the SQL so the two stores answer alike.
import type { AttemptLimits, Reservation } from '../../core/passwords/login-store';
import type { CounterRow, MemoryTables } from './tables';

/** Reserves one attempt on `key`: counted while locked, restarted after a lock or a window. */
export function reserveAttempt(tables: MemoryTables, key: string, limits: AttemptLimits, now: number): Reservation {
  const lockFrom = (count: number) => (count >= limits.maxAttempts ? now + limits.lockoutMs : null);
  const row = tables.counters.get(key);
  let next: CounterRow;
  if (!row) {
    next = { count: 1, windowStartedAt: now, blockedUntil: lockFrom(1) };
  } else if (row.blockedUntil !== null && row.blockedUntil > now) {
    next = { ...row, count: row.count + 1 };
  } else if (row.windowStartedAt <= now - limits.windowMs || (row.blockedUntil !== null && row.blockedUntil <= now)) {
    next = { count: 1, windowStartedAt: now, blockedUntil: lockFrom(1) };
  } else {
    next = { count: row.count + 1, windowStartedAt: row.windowStartedAt, blockedUntil: lockFrom(row.count + 1) };
  }
  tables.counters.set(key, next);
  return { granted: next.count <= limits.maxAttempts, count: next.count, blockedUntil: next.blockedUntil };
}

/** Counts one event under `key` in a fixed window; a new window restarts the count at 1. */
export function hitCounter(tables: MemoryTables, key: string, now: number, windowMs: number): number {
  const row = tables.counters.get(key);
  const next: CounterRow =
    !row || row.windowStartedAt <= now - windowMs
      ? { count: 1, windowStartedAt: now, blockedUntil: row?.blockedUntil ?? null }
      : { ...row, count: row.count + 1 };
  tables.counters.set(key, next);
  return next.count;
}
