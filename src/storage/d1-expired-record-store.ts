// ExpiredRecordStore on D1. Each delete picks at most `limit` rowids in a subquery (D1's SQLite
// has no DELETE ... LIMIT) and is one statement, so it is atomic against a concurrent hit or
// refresh: a counter restarted, or a session extended, an instant earlier no longer matches.
import type { ExpiredRecordStore } from '../core/sessions/expired-records';

export function createD1ExpiredRecordStore(d1: D1Database): ExpiredRecordStore {
  // Refresh tokens go with their session by the foreign key's cascade (D1 enforces foreign keys).
  const expiredSessions = d1.prepare(
    'delete from sessions where rowid in (select rowid from sessions where expires_at <= ?1 limit ?2) returning 1',
  );
  const forgottenRefreshTokens = d1.prepare(
    'delete from refresh_tokens where rowid in (select rowid from refresh_tokens where rotated_at < ?1 limit ?2) returning 1',
  );
  // The mfa_challenges_expires_at index finds them without a scan.
  const expiredMfaChallenges = d1.prepare(
    'delete from mfa_challenges where rowid in (select rowid from mfa_challenges where expires_at <= ?1 limit ?2) returning 1',
  );
  const expiredEmailSignIns = d1.prepare(
    'delete from email_sign_ins where rowid in (select rowid from email_sign_ins where expires_at <= ?1 limit ?2) returning 1',
  );
  const spentCounters = d1.prepare(`
    delete from throttle_counters where rowid in (
      select rowid from throttle_counters
      where substr(key, 1, length(?1)) = ?1 and window_started_at <= ?2
        and (blocked_until is null or blocked_until <= ?3)
      limit ?4) returning 1`);

  // Counted from the returned rows: meta.changes would also count the refresh tokens deleted by
  // cascade, and the caller compares the count with the batch size.
  const deletedRows = (result: D1Result) => result.results.length;

  return {
    deleteExpiredSessions: async (now, limit) => deletedRows(await expiredSessions.bind(now, limit).all()),
    deleteForgottenRefreshTokens: async (rotatedBefore, limit) =>
      deletedRows(await forgottenRefreshTokens.bind(rotatedBefore, limit).all()),
    deleteExpiredMfaChallenges: async (now, limit) => deletedRows(await expiredMfaChallenges.bind(now, limit).all()),
    deleteExpiredEmailSignIns: async (now, limit) => deletedRows(await expiredEmailSignIns.bind(now, limit).all()),
    deleteSpentCounters: async (prefix, { windowStartedBy, now }, limit) =>
      deletedRows(await spentCounters.bind(prefix, windowStartedBy, now, limit).all()),
  };
}
