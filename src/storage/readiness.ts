// The readiness probe behind `/health/ready`: one cheap read from D1 and one from KV, side by
// side, each bounded by a short timeout, so a hung dependency reports "down" instead of holding the
// probe open. Any failure counts as down (a probe has no one to tell about a bug but the deployer).
// `/health` stays storage-free: probing storage on every uptime check would cost reads and turn a
// storage blip into a "site down" page.

export type DependencyState = 'ok' | 'down';

export interface Readiness {
  d1: DependencyState;
  kv: DependencyState;
}

/** A fixed key nobody writes: reading it costs one KV read and returns null. */
export const READINESS_PROBE_KEY = 'readiness:probe';

const DEFAULT_TIMEOUT_MS = 1000;

/** Settles "ok" when `probe` resolves within `timeoutMs`, "down" when it rejects or runs late. */
async function stateOf(probe: () => Promise<unknown>, timeoutMs: number): Promise<DependencyState> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<DependencyState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  // Through a promise, so a binding that throws synchronously counts as down too.
  const settled = Promise.resolve()
    .then(probe)
    .then(
      (): DependencyState => 'ok',
      (): DependencyState => 'down',
    );
  try {
    return await Promise.race([settled, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export async function checkReadiness(
  bindings: { db: D1Database; kv: KVNamespace },
  options: { timeoutMs?: number } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const [d1, kv] = await Promise.all([
    stateOf(() => bindings.db.prepare('select 1').first(), timeoutMs),
    stateOf(() => bindings.kv.get(READINESS_PROBE_KEY), timeoutMs),
  ]);
  return { d1, kv };
}
