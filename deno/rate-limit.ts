// The Workers Rate Limiting binding's interface (`limit({ key })` answering `{ success }`) as a
// fixed-window counter in Deno KV. Each hit is one atomic check-and-set on the window's counter,
// retried on conflict, so concurrent requests are counted exactly, across processes that share one
// KV. Like the Workers binding, the counter is per key and per period; a window's entry expires
// with it.

export interface RateLimitRule {
  limit: number;
  periodSeconds: number;
}

const MAX_ATTEMPTS = 20;

export function createKvRateLimit(kv: Deno.Kv, name: string, rule: RateLimitRule, now = () => Date.now()) {
  const periodMs = rule.periodSeconds * 1000;
  const limiter = {
    async limit({ key }: { key: string }): Promise<{ success: boolean }> {
      const window = Math.floor(now() / periodMs);
      const entryKey: Deno.KvKey = ['rate-limit', name, key, window];
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await kv.get<number>(entryKey);
        const count = current.value ?? 0;
        if (count >= rule.limit) return { success: false };
        const committed = await kv
          .atomic()
          .check(current)
          .set(entryKey, count + 1, { expireIn: periodMs * 2 })
          .commit();
        if (committed.ok) return { success: true };
      }
      // Lost the race every time: the window is under heavy contention, so refuse.
      return { success: false };
    },
  };
  return limiter as unknown as RateLimit;
}
