// ThrottleStore in memory: exact counts, like the D1 upsert.
import type { ThrottleStore } from '../../core/mail/throttle';
import { hitCounter } from './counters';
import type { MemoryTables } from './tables';

export function createMemoryThrottleStore(tables: MemoryTables): ThrottleStore {
  return {
    hit: async (key, { now, windowMs }) => hitCounter(tables, key, now, windowMs),
    async clear(keys) {
      for (const key of keys) tables.counters.delete(key);
    },
  };
}
