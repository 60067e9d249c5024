// Exact, atomic counters behind the per-address mail quota (the login lock-out has its own, see
// login-throttle.ts). They live in D1: KV allows one write per second per key and cannot
// increment, and isolate memory is per machine, so neither can count 50 parallel events as 50.

/** What the core needs of counters: an exact count per key in a fixed window, and a reset. */
export interface ThrottleStore {
  /** Counts one event under `key` in a fixed window of `windowMs`, atomically; returns the count in the window. */
  hit(key: string, options: { now: number; windowMs: number }): Promise<number>;
  clear(keys: string[]): Promise<void>;
}

/**
 * Clears counters after a flow's decisive write has committed (a reset, a deletion). A failure
 * then leaves counters that expire on their own, so it is logged and must not turn the committed
 * change into an error that the client would retry into "already used".
 */
export async function clearCountersAfterCommit(
  services: { throttle: ThrottleStore; log(event: { event: string } & Record<string, unknown>): void },
  keys: string[],
): Promise<void> {
  try {
    await services.throttle.clear(keys);
  } catch (error) {
    services.log({ event: 'throttle.clear_failed', error: error instanceof Error ? error.name : 'unknown' });
  }
}

export interface MailQuotaSettings {
  maxPerHour: number;
}
