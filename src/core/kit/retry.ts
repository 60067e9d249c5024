// One quick second attempt for operations that are safe to repeat: reads, and writes that are
// idempotent by construction (an upsert keyed by a digest, a conditional update that re-checks its
// condition). Never wrap a write that could apply twice: a lost answer does not mean a lost write.
// Once, and briefly: the request is waiting, and an outage longer than this answers 503 instead.

export interface RetryOnceOptions {
  /** Whether this failure is worth a second attempt (for storage: isRetryableStorageError). */
  isRetryable: (error: unknown) => boolean;
  /** The wait before the second attempt, in ms; by default a jittered 20–60 ms. */
  delayMs?: () => number;
  /** Injected by tests; by default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before the second attempt, for a log line naming the error class. */
  onRetry?: (error: unknown) => void;
}

/**
 * A small random delay: spread across [baseMs, 3 × baseMs) so that requests failed by the same
 * blip do not all come back at the same instant.
 */
export function jitteredDelayMs(baseMs = 20, random: () => number = Math.random): number {
  return Math.round(baseMs * (1 + 2 * random()));
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `operation`; after a retryable failure, waits a moment and runs it once more. */
export async function retryOnce<T>(operation: () => Promise<T>, options: RetryOnceOptions): Promise<T> {
  const { isRetryable, delayMs = () => jitteredDelayMs(), sleep = timerSleep, onRetry } = options;
  try {
    return await operation();
  } catch (error) {
    if (!isRetryable(error)) throw error;
    onRetry?.(error);
    await sleep(delayMs());
    return operation();
  }
}
