// Exact, atomic counters behind the per-account login throttle and the per-address mail quota.
// They live in D1: KV allows one write per second per key and cannot increment, and isolate
// memory is per machine, so neither can count 50 parallel failures as 50.

export interface ThrottleStore {
  /**
   * Counts one event under `key` in a fixed window of `windowMs`, atomically. When the count
   * reaches `blockAt`, the key is blocked for `blockMs`. Returns the count in the window.
   */
  hit(key: string, options: { now: number; windowMs: number; blockAt?: number; blockMs?: number }): Promise<number>;
  clear(key: string): Promise<void>;
}

export interface LoginThrottleSettings {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface MailQuotaSettings {
  maxPerHour: number;
}
