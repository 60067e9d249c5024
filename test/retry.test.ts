import { describe, expect, it } from 'vitest';
import { jitteredDelayMs, retryOnce } from '../src/core/kit/retry';

class Transient extends Error {}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** An operation that fails with the given errors in turn, then succeeds. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const operation = async () => {
    calls += 1;
    if (errors.length > 0) throw errors.shift();
    return 'done';
  };
  return { operation, calls: () => calls };
}

const isRetryable = (error: unknown) => error instanceof Transient;

describe('retryOnce', () => {
  it('returns the first success without waiting', async () => {
    const { waits, sleep } = recordingSleep();
    const op = failing();
    expect(await retryOnce(op.operation, { isRetryable, sleep })).toBe('done');
    expect(op.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('waits the given delay, then tries once more after a retryable failure', async () => {
    const { waits, sleep } = recordingSleep();
    const op = failing(new Transient());
    expect(await retryOnce(op.operation, { isRetryable, sleep, delayMs: () => 37 })).toBe('done');
    expect(op.calls()).toBe(2);
    expect(waits).toEqual([37]);
  });

  it('never repeats an operation whose failure is not retryable', async () => {
    const { waits, sleep } = recordingSleep();
    const bug = new TypeError('bug');
    const op = failing(bug);
    await expect(retryOnce(op.operation, { isRetryable, sleep })).rejects.toBe(bug);
    expect(op.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('tries only twice, and reports the second failure', async () => {
    const { sleep } = recordingSleep();
    const second = new Transient('second');
    const op = failing(new Transient('first'), second);
    await expect(retryOnce(op.operation, { isRetryable, sleep })).rejects.toBe(second);
    expect(op.calls()).toBe(2);
  });

  it('tells the caller about the retry, for the log', async () => {
    const { sleep } = recordingSleep();
    const first = new Transient();
    const seen: unknown[] = [];
    await retryOnce(failing(first).operation, { isRetryable, sleep, onRetry: (error) => seen.push(error) });
    expect(seen).toEqual([first]);
  });

  it('waits a jittered 20–60 ms by default', async () => {
    const { waits, sleep } = recordingSleep();
    await retryOnce(failing(new Transient()).operation, { isRetryable, sleep });
    expect(waits[0]).toBeGreaterThanOrEqual(20);
    expect(waits[0]).toBeLessThanOrEqual(60);
  });

  it('spreads the jitter over [base, 3 × base]', () => {
    expect(jitteredDelayMs(20, () => 0)).toBe(20);
    expect(jitteredDelayMs(20, () => 0.5)).toBe(40);
    expect(jitteredDelayMs(20, () => 0.999)).toBe(60);
  });

  it('really waits with the default timer', async () => {
    const started = Date.now();
    await retryOnce(failing(new Transient()).operation, { isRetryable, delayMs: () => 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
