// MfaStore on D1. A consume tied to a challenge is one batch (one transaction): the conditional
// write on the code, then the deletion of the challenge only if that write changed a row
// (`changes()` reads the previous statement of the same connection). So the code and the
// mfaToken are spent together or not at all, and of parallel verifies exactly one wins.
// Each try at an mfaToken is counted before its code is checked, in the same statement that checks
// the limit, so a burst of parallel tries gets no more checks than the limit.
import type { ChallengeClaim, MfaStore, TotpFactor } from '../core/mfa/mfa-store';
import { parseAmr } from '../core/sessions/sessions';
import { type EventCondition, outboxStatement } from './d1-event-outbox';

/** The outbox condition of mfa.disabled: the user (still) has an enabled factor. */
const enabledFactor = (userId: string): EventCondition => ({
  exists: 'select 1 from totp_factors where user_id = ?6 and enabled_at is not null',
  params: [userId],
});

interface FactorRow {
  user_id: string;
  secret_ciphertext: string;
  enabled_at: number | null;
  last_used_step: number | null;
}

const factorOf = (row: FactorRow): TotpFactor => ({
  userId: row.user_id,
  secretCiphertext: row.secret_ciphertext,
  enabledAt: row.enabled_at,
  lastUsedStep: row.last_used_step,
});

// Parameters ?1 digest, ?2 now, ?3 try limit; `c` names the challenge row (an alias or the table).
// A challenge proved the password it was made under, so a change since ends it, and so does a
// disabled account. Each try is counted before its code is checked (`reserveChallengeAttempt`),
// so a new try needs a count under the limit while a consume tied to a counted try needs it at
// most at the limit (`tries`).
const liveChallenge = (c: string, tries: '<' | '<=') =>
  `${c}.token_digest = ?1 and ${c}.expires_at > ?2 and ${c}.failed_attempts ${tries} ?3
   and ${c}.credential_version = (select a.credential_version from accounts a where a.user_id = ${c}.user_id)
   and exists (select 1 from users u where u.id = ${c}.user_id and u.disabled_at is null)`;

export function createD1MfaStore(d1: D1Database): MfaStore {
  /** Runs `consume` (which must use ?1..?3 for the claim) and deletes the challenge if it changed a row. */
  async function consumeWith(consume: D1PreparedStatement, claim: ChallengeClaim | undefined): Promise<boolean> {
    if (!claim) return ((await consume.run()).meta.changes ?? 0) === 1;
    const [, deleted] = await d1.batch([
      consume,
      d1
        .prepare(`delete from mfa_challenges where token_digest = ?1 and changes() = 1 returning user_id`)
        .bind(claim.tokenDigest),
    ]);
    return deleted!.results.length === 1;
  }

  const claimParams = (claim: ChallengeClaim | undefined) =>
    claim ? [claim.tokenDigest, claim.now, claim.maxFailedAttempts] : [null, 0, 0];
  const whileLive = (claim: ChallengeClaim | undefined) =>
    claim
      ? `and exists (select 1 from mfa_challenges where ${liveChallenge('mfa_challenges', '<=')} and mfa_challenges.user_id = ?4)`
      : '';

  return {
    async findTotpFactor(userId) {
      const row = await d1
        .prepare('select user_id, secret_ciphertext, enabled_at, last_used_step from totp_factors where user_id = ?1')
        .bind(userId)
        .first<FactorRow>();
      return row ? factorOf(row) : null;
    },

    async findMfaStatus(userId) {
      const row = await d1
        .prepare(
          `select t.user_id, t.secret_ciphertext, t.enabled_at, t.last_used_step,
                  (select count(*) from recovery_codes r where r.user_id = ?1) as remaining
           from (select ?1 as id) u left join totp_factors t on t.user_id = u.id`,
        )
        .bind(userId)
        .first<FactorRow & { remaining: number }>();
      return { totp: row?.user_id ? factorOf(row) : null, recoveryCodesRemaining: row?.remaining ?? 0 };
    },

    async savePendingTotp(userId, secretCiphertext, now) {
      const result = await d1
        .prepare(
          `insert into totp_factors (user_id, secret_ciphertext, enabled_at, last_used_step, created_at)
           values (?1, ?2, null, null, ?3)
           on conflict (user_id) do update set secret_ciphertext = ?2, last_used_step = null, created_at = ?3,
             setup_attempts = 0
           where enabled_at is null`,
        )
        .bind(userId, secretCiphertext, now)
        .run();
      return (result.meta.changes ?? 0) === 1;
    },

    async reserveSetupAttempt(userId, secretCiphertext, maxAttempts) {
      const row = await d1
        .prepare(
          `update totp_factors set setup_attempts = setup_attempts + 1
           where user_id = ?1 and secret_ciphertext = ?2 and enabled_at is null and setup_attempts < ?3
           returning user_id`,
        )
        .bind(userId, secretCiphertext, maxAttempts)
        .first();
      return row !== null;
    },

    async enableTotp({ userId, secretCiphertext, acceptedStep, recoveryCodeDigests, keepSessionId, now, event }) {
      const [enabled] = await d1.batch([
        d1
          .prepare(
            `update totp_factors set enabled_at = ?3, last_used_step = ?4
             where user_id = ?1 and secret_ciphertext = ?2 and enabled_at is null returning user_id`,
          )
          .bind(userId, secretCiphertext, now, acceptedStep),
        ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
        // The rest applies only if the factor was just enabled by this batch.
        d1
          .prepare(
            `delete from recovery_codes where user_id = ?1
             and exists (select 1 from totp_factors where user_id = ?1 and enabled_at = ?2 and secret_ciphertext = ?3)`,
          )
          .bind(userId, now, secretCiphertext),
        d1
          .prepare(
            `insert into recovery_codes (user_id, code_digest, created_at)
             select ?1, value, ?2 from json_each(?3)
             where exists (select 1 from totp_factors where user_id = ?1 and enabled_at = ?2 and secret_ciphertext = ?4)`,
          )
          .bind(userId, now, JSON.stringify(recoveryCodeDigests), secretCiphertext),
        d1
          .prepare(
            `delete from sessions where user_id = ?1 and id <> ?2
             and exists (select 1 from totp_factors where user_id = ?1 and enabled_at = ?3 and secret_ciphertext = ?4)`,
          )
          .bind(userId, keepSessionId, now, secretCiphertext),
      ]);
      return enabled!.results.length === 1;
    },

    consumeTotpStep(userId, step, claim) {
      return consumeWith(
        d1
          .prepare(
            `update totp_factors set last_used_step = ?5
             where user_id = ?4 and enabled_at is not null and (last_used_step is null or last_used_step < ?5)
             ${whileLive(claim)}`,
          )
          .bind(...claimParams(claim), userId, step),
        claim,
      );
    },

    async reencryptTotpSecret(userId, previousCiphertext, secretCiphertext) {
      const { meta } = await d1
        .prepare(
          `update totp_factors set secret_ciphertext = ?3
           where user_id = ?1 and secret_ciphertext = ?2 and enabled_at is not null`,
        )
        .bind(userId, previousCiphertext, secretCiphertext)
        .run();
      return meta.changes === 1;
    },

    consumeRecoveryCode(userId, codeDigest, claim) {
      return consumeWith(
        d1
          .prepare(`delete from recovery_codes where user_id = ?4 and code_digest = ?5 ${whileLive(claim)}`)
          .bind(...claimParams(claim), userId, codeDigest),
        claim,
      );
    },

    async replaceRecoveryCodes(userId, codeDigests, now) {
      const enabled = 'exists (select 1 from totp_factors where user_id = ?1 and enabled_at is not null)';
      const [, inserted] = await d1.batch([
        d1.prepare(`delete from recovery_codes where user_id = ?1 and ${enabled}`).bind(userId),
        d1
          .prepare(
            `insert into recovery_codes (user_id, code_digest, created_at)
             select ?1, value, ?2 from json_each(?3) where ${enabled}`,
          )
          .bind(userId, now, JSON.stringify(codeDigests)),
      ]);
      return (inserted!.meta.changes ?? 0) > 0;
    },

    async disableTotp(userId, keepSessionId, event) {
      await d1.batch([
        ...(event ? [outboxStatement(d1, event, enabledFactor(userId))] : []),
        d1.prepare('delete from totp_factors where user_id = ?1').bind(userId),
        d1.prepare('delete from recovery_codes where user_id = ?1').bind(userId),
        d1.prepare('delete from mfa_challenges where user_id = ?1').bind(userId),
        d1.prepare('delete from sessions where user_id = ?1 and id <> ?2').bind(userId, keepSessionId),
      ]);
    },

    async removeFactors(userId, event) {
      // The event goes first: it is recorded only while an enabled factor is still there to remove.
      const results = await d1.batch([
        ...(event ? [outboxStatement(d1, event, enabledFactor(userId))] : []),
        d1.prepare('delete from totp_factors where user_id = ?1 returning enabled_at').bind(userId),
        d1.prepare('delete from recovery_codes where user_id = ?1').bind(userId),
        d1.prepare('delete from mfa_challenges where user_id = ?1').bind(userId),
      ]);
      const factor = results[event ? 1 : 0];
      return (factor!.results as { enabled_at: number | null }[]).some((row) => row.enabled_at !== null);
    },

    async createChallenge({ tokenDigest, userId, credentialVersion, amr, expiresAt }) {
      await d1
        .prepare(
          `insert into mfa_challenges (token_digest, user_id, expires_at, failed_attempts, credential_version, amr)
           values (?1, ?2, ?3, 0, ?4, ?5)`,
        )
        .bind(tokenDigest, userId, expiresAt, credentialVersion, amr.join(' '))
        .run();
    },

    async reserveChallengeAttempt(claim) {
      // The count and the check are one statement, so parallel tries cannot pass the limit; the
      // read in the same batch sees the challenge only if this request's try was counted.
      const [, found] = await d1.batch([
        d1
          .prepare(
            `update mfa_challenges set failed_attempts = failed_attempts + 1
             where ${liveChallenge('mfa_challenges', '<')}`,
          )
          .bind(claim.tokenDigest, claim.now, claim.maxFailedAttempts),
        d1
          .prepare(
            `select c.user_id as challenge_user, c.credential_version, c.amr as challenge_amr, u.username,
                    t.user_id, t.secret_ciphertext, t.enabled_at, t.last_used_step
             from mfa_challenges c join users u on u.id = c.user_id
             left join totp_factors t on t.user_id = c.user_id
             where changes() = 1 and c.token_digest = ?1`,
          )
          .bind(claim.tokenDigest),
      ]);
      const row = (
        found!.results as (FactorRow & {
          challenge_user: string;
          credential_version: number;
          challenge_amr: string;
          username: string;
        })[]
      )[0];
      if (!row) return null;
      return {
        userId: row.challenge_user,
        username: row.username,
        credentialVersion: row.credential_version,
        amr: parseAmr(row.challenge_amr),
        totp: row.user_id ? factorOf(row) : null,
      };
    },
  };
}
