// Deleting what no check will ever read again, so storage does not grow with every sign-in: run
// by the Cron Trigger (src/scheduled.ts). Only rows that can no longer change an answer go: an
// expired session, a rotated refresh token past the reuse memory, a counter whose window and
// lock-out are both over. Work is bounded per run (D1 caps the queries and the duration of one
// invocation); whatever is left over waits for the next run.
import { MAIL_COUNTER_PREFIX, MAIL_QUOTA_WINDOW_MS } from '../mail/mail-delivery';
import { ROTATED_TOKEN_MEMORY_MS } from './sessions';

/**
 * What the cleanup needs: bounded deletes of records no check will read again, each atomic
 * against a concurrent write that would make the record count again. Each returns how many went.
 */
export interface ExpiredRecordStore {
  /** Deletes up to `limit` sessions that expired at or before `now`, with their refresh tokens. */
  deleteExpiredSessions(now: number, limit: number): Promise<number>;
  /** Deletes up to `limit` refresh tokens rotated before `rotatedBefore`. */
  deleteForgottenRefreshTokens(rotatedBefore: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` throttle counters whose key starts with `prefix`, whose window started at
   * or before `windowStartedBy`, and which are not blocked after `now`.
   */
  deleteSpentCounters(prefix: string, bounds: { windowStartedBy: number; now: number }, limit: number): Promise<number>;
  /** Deletes up to `limit` two-step sign-in challenges (mfaTokens) that expired at or before `now`. */
  deleteExpiredMfaChallenges(now: number, limit: number): Promise<number>;
  /** Deletes up to `limit` pending sign-ins by email that expired at or before `now`. */
  deleteExpiredEmailSignIns(now: number, limit: number): Promise<number>;
}

/**
 * The counter families and the window each is hit with. A counter whose key matches none is left
 * alone: without its window there is no telling whether it still counts.
 */
export interface CounterFamily {
  prefix: string;
  windowMs: number;
}

/**
 * The counters Latchkey writes: failed sign-ins (`login:user:<id>` and `login:identifier:<digest>`,
 * in the login failure window) and the hourly mail quota.
 */
export function throttleCounterFamilies(settings: { loginFailureWindowSeconds: number }): CounterFamily[] {
  return [
    { prefix: 'login:', windowMs: settings.loginFailureWindowSeconds * 1000 },
    { prefix: MAIL_COUNTER_PREFIX, windowMs: MAIL_QUOTA_WINDOW_MS },
  ];
}

export interface ExpiredRecordLimits {
  /** Rows deleted by one statement. */
  batchSize: number;
  /** Statements per kind of record and run. */
  maxBatches: number;
}

// 6 kinds (two of them counter families) x 8 statements stays under the 50 queries a free-plan
// invocation may make; 1,000 rows a statement keeps each delete (and its cascade) well inside
// D1's per-query time limit.
export const DEFAULT_EXPIRED_RECORD_LIMITS: ExpiredRecordLimits = { batchSize: 1000, maxBatches: 8 };

export interface DeletedCounts {
  sessions: number;
  refreshTokens: number;
  mfaChallenges: number;
  emailSignIns: number;
  counters: Record<string, number>;
  /** True when some kind hit `maxBatches` with a full last batch: more may be left for the next run. */
  incomplete: boolean;
}

export async function deleteExpiredRecords(
  store: ExpiredRecordStore,
  input: { now: number; counterFamilies: CounterFamily[]; limits?: ExpiredRecordLimits },
): Promise<DeletedCounts> {
  const { now, counterFamilies } = input;
  const { batchSize, maxBatches } = input.limits ?? DEFAULT_EXPIRED_RECORD_LIMITS;
  let incomplete = false;

  async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize) return total;
    }
    incomplete = true;
    return total;
  }

  // Sessions first: their refresh tokens go with them by cascade, which leaves less for the next step.
  const sessions = await inBatches(() => store.deleteExpiredSessions(now, batchSize));
  // A rotated token is kept so that presenting it again is caught as reuse; after the memory
  // (the same cut-off that rotation applies to its own session) it would only answer "invalid".
  const refreshTokens = await inBatches(() =>
    store.deleteForgottenRefreshTokens(now - ROTATED_TOKEN_MEMORY_MS, batchSize),
  );
  // An expired mfaToken is refused whatever its row says; the row only waits here to be deleted.
  const mfaChallenges = await inBatches(() => store.deleteExpiredMfaChallenges(now, batchSize));
  // So is an expired sign-in mail's; a new mail to the address would replace the row anyway.
  const emailSignIns = await inBatches(() => store.deleteExpiredEmailSignIns(now, batchSize));
  const counters: Record<string, number> = {};
  for (const { prefix, windowMs } of counterFamilies) {
    // A hit on a counter whose window started windowMs ago or earlier restarts it at 1, so deleting
    // it changes no count; a lock-out that outlasts the window keeps its row until it ends.
    counters[prefix] = await inBatches(() =>
      store.deleteSpentCounters(prefix, { windowStartedBy: now - windowMs, now }, batchSize),
    );
  }
  return { sessions, refreshTokens, mfaChallenges, emailSignIns, counters, incomplete };
}
