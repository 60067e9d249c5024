// EmailSignInStore on D1. Replacing a pending mail is one upsert on the address; taking one is a
// conditional delete that returns the row, so of parallel verifies exactly one gets it; a try at
// the code is counted by an update that also checks the limit.
import type { EmailSignInStore, PendingEmailSignIn } from '../core/email-sign-in/email-sign-in-store';

interface PendingRow {
  email: string;
  token_digest: string;
  code_digest: string;
  user_id: string | null;
  username: string | null;
  expires_at: number;
}

const pendingOf = (row: PendingRow): PendingEmailSignIn => ({
  email: row.email,
  tokenDigest: row.token_digest,
  codeDigest: row.code_digest,
  userId: row.user_id,
  username: row.username,
  expiresAt: row.expires_at,
});

const columns = 'email, token_digest, code_digest, user_id, username, expires_at';

export function createD1EmailSignInStore(d1: D1Database): EmailSignInStore {
  return {
    async save(pending, now) {
      await d1
        .prepare(
          `insert into email_sign_ins (email, token_digest, code_digest, code_attempts, user_id, username, expires_at, created_at)
           values (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7)
           on conflict (email) do update set token_digest = ?2, code_digest = ?3, code_attempts = 0,
             user_id = ?4, username = ?5, expires_at = ?6, created_at = ?7`,
        )
        .bind(
          pending.email,
          pending.tokenDigest,
          pending.codeDigest,
          pending.userId,
          pending.username,
          pending.expiresAt,
          now,
        )
        .run();
    },

    async takeByToken(tokenDigest, now) {
      const row = await d1
        .prepare(`delete from email_sign_ins where token_digest = ?1 and expires_at > ?2 returning ${columns}`)
        .bind(tokenDigest, now)
        .first<PendingRow>();
      return row ? pendingOf(row) : null;
    },

    async reserveCodeAttempt(email, now, maxAttempts) {
      const row = await d1
        .prepare(
          `update email_sign_ins set code_attempts = code_attempts + 1
           where email = ?1 and expires_at > ?2 and code_attempts < ?3 returning ${columns}`,
        )
        .bind(email, now, maxAttempts)
        .first<PendingRow>();
      return row ? pendingOf(row) : null;
    },
  };
}
