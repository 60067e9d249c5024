// The cleanup's batching as plain function calls, against a store that only records its calls.
import { describe, expect, it } from 'vitest';
import {
  type ExpiredRecordStore,
  deleteExpiredRecords,
  throttleCounterFamilies,
} from '../src/core/sessions/expired-records';
import { ROTATED_TOKEN_MEMORY_MS } from '../src/core/sessions/sessions';

const NOW = Date.UTC(2026, 10, 30, 12);

/** A store holding `rows` of each kind, deleting up to `limit` per call and recording each call. */
function storeWith(rows: {
  sessions?: number;
  refreshTokens?: number;
  mfaChallenges?: number;
  emailSignIns?: number;
  counters?: number;
}) {
  const left = { sessions: 0, refreshTokens: 0, mfaChallenges: 0, emailSignIns: 0, counters: 0, ...rows };
  const calls: string[] = [];
  const take = (kind: keyof typeof left, limit: number) => {
    const deleted = Math.min(limit, left[kind]);
    left[kind] -= deleted;
    return Promise.resolve(deleted);
  };
  const store: ExpiredRecordStore = {
    deleteExpiredSessions(now, limit) {
      calls.push(`sessions <= ${now}`);
      return take('sessions', limit);
    },
    deleteForgottenRefreshTokens(rotatedBefore, limit) {
      calls.push(`refresh tokens < ${rotatedBefore}`);
      return take('refreshTokens', limit);
    },
    deleteExpiredMfaChallenges(now, limit) {
      calls.push(`mfa challenges <= ${now}`);
      return take('mfaChallenges', limit);
    },
    deleteExpiredEmailSignIns(now, limit) {
      calls.push(`email sign-ins <= ${now}`);
      return take('emailSignIns', limit);
    },
    deleteSpentCounters(prefix, { windowStartedBy, now }, limit) {
      calls.push(`${prefix} started <= ${windowStartedBy}, unblocked at ${now}`);
      return take('counters', limit);
    },
  };
  return { store, calls, left };
}

describe('deleting expired records', () => {
  it('stops each kind at the first batch that is not full', async () => {
    const { store, calls } = storeWith({ sessions: 5 });
    const deleted = await deleteExpiredRecords(store, {
      now: NOW,
      counterFamilies: [],
      limits: { batchSize: 2, maxBatches: 10 },
    });
    expect(deleted).toEqual({
      sessions: 5,
      refreshTokens: 0,
      mfaChallenges: 0,
      emailSignIns: 0,
      counters: {},
      incomplete: false,
    });
    expect(calls.filter((call) => call.startsWith('sessions'))).toHaveLength(3);
    expect(calls.filter((call) => call.startsWith('refresh'))).toHaveLength(1);
  });

  it('does no more than maxBatches statements per kind and says that some are left', async () => {
    const { store, calls, left } = storeWith({
      sessions: 100,
      refreshTokens: 100,
      mfaChallenges: 100,
      emailSignIns: 100,
      counters: 100,
    });
    const deleted = await deleteExpiredRecords(store, {
      now: NOW,
      counterFamilies: [{ prefix: 'login:', windowMs: 1000 }],
      limits: { batchSize: 3, maxBatches: 4 },
    });
    expect(deleted).toEqual({
      sessions: 12,
      refreshTokens: 12,
      mfaChallenges: 12,
      emailSignIns: 12,
      counters: { 'login:': 12 },
      incomplete: true,
    });
    expect(calls).toHaveLength(20);
    expect(left).toEqual({ sessions: 88, refreshTokens: 88, mfaChallenges: 88, emailSignIns: 88, counters: 88 });
  });

  it('keeps rotated refresh tokens for the reuse memory and each counter for its own window', async () => {
    const { store, calls } = storeWith({});
    await deleteExpiredRecords(store, {
      now: NOW,
      counterFamilies: throttleCounterFamilies({ loginFailureWindowSeconds: 900 }),
    });
    expect(calls).toEqual([
      `sessions <= ${NOW}`,
      `refresh tokens < ${NOW - ROTATED_TOKEN_MEMORY_MS}`,
      `mfa challenges <= ${NOW}`,
      `email sign-ins <= ${NOW}`,
      `login: started <= ${NOW - 900_000}, unblocked at ${NOW}`,
      `mail: started <= ${NOW - 3_600_000}, unblocked at ${NOW}`,
    ]);
  });
});
