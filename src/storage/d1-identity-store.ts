// IdentityStore on D1. The unique index on (provider, subject) decides which account an identity
// belongs to; a new account and its identity are one batch (one transaction), so a lost race
// leaves nothing behind. Taking a pending authorization is a conditional delete that returns the
// row; unlinking is one delete whose condition keeps the account's last way in.
import type { IdentityStore, OutsideIdentity, PendingAuthorization } from '../core/identities/identity-store';
import { newUserOf } from '../core/accounts/users';
import { outboxStatement } from './d1-event-outbox';

interface IdentityRow {
  id: string;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  created_at: number;
  last_used_at: number | null;
}

interface AuthorizationRow {
  state_digest: string;
  provider: string;
  verifier_digest: string;
  nonce: string;
  link_user_id: string | null;
  return_to: string | null;
  expires_at: number;
}

const identityOf = (row: IdentityRow): OutsideIdentity => ({
  id: row.id,
  userId: row.user_id,
  provider: row.provider,
  subject: row.subject,
  email: row.email,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

const authorizationOf = (row: AuthorizationRow): PendingAuthorization => ({
  stateDigest: row.state_digest,
  provider: row.provider,
  verifierDigest: row.verifier_digest,
  nonce: row.nonce,
  linkUserId: row.link_user_id,
  returnTo: row.return_to,
  expiresAt: row.expires_at,
});

const identityColumns = 'id, user_id, provider, subject, email, created_at, last_used_at';

/** Which unique index a failed insert ran into, found in the driver error's cause chain. */
function conflictOf(error: unknown): 'username' | 'email' | 'identity' | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message.includes('users_username_unique') || current.message.includes('users.username')) {
      return 'username';
    }
    if (current.message.includes('users_email_unique') || current.message.includes('users.email')) return 'email';
    if (
      current.message.includes('identities_provider_subject_unique') ||
      current.message.includes('identities.provider')
    ) {
      return 'identity';
    }
  }
  return null;
}

export function createD1IdentityStore(d1: D1Database): IdentityStore {
  const insertIdentity = (identity: OutsideIdentity) =>
    d1
      .prepare(
        `insert into identities (id, user_id, provider, subject, email, created_at, last_used_at)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
      )
      .bind(
        identity.id,
        identity.userId,
        identity.provider,
        identity.subject,
        identity.email,
        identity.createdAt,
        identity.lastUsedAt,
      );

  return {
    async saveAuthorization(pending, now) {
      // Each new redirect also clears a few abandoned ones, so the table does not grow with every
      // redirect nobody came back from (the hourly cleanup does not know this table).
      const clearAbandoned = d1
        .prepare(
          `delete from outside_authorizations where rowid in
             (select rowid from outside_authorizations where expires_at <= ?1 limit 20)`,
        )
        .bind(now);
      const insert = d1
        .prepare(
          `insert into outside_authorizations
             (state_digest, provider, verifier_digest, nonce, link_user_id, return_to, expires_at, created_at)
           values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
        )
        .bind(
          pending.stateDigest,
          pending.provider,
          pending.verifierDigest,
          pending.nonce,
          pending.linkUserId,
          pending.returnTo,
          pending.expiresAt,
          now,
        );
      await d1.batch([clearAbandoned, insert]);
    },

    async takeAuthorization(stateDigest, verifierDigest, now) {
      const row = await d1
        .prepare(
          `delete from outside_authorizations
           where state_digest = ?1 and verifier_digest = ?2 and expires_at > ?3
           returning state_digest, provider, verifier_digest, nonce, link_user_id, return_to, expires_at`,
        )
        .bind(stateDigest, verifierDigest, now)
        .first<AuthorizationRow>();
      return row ? authorizationOf(row) : null;
    },

    async findIdentity(provider, subject) {
      const row = await d1
        .prepare(`select ${identityColumns} from identities where provider = ?1 and subject = ?2`)
        .bind(provider, subject)
        .first<IdentityRow>();
      return row ? identityOf(row) : null;
    },

    async listIdentities(userId) {
      const { results } = await d1
        .prepare(`select ${identityColumns} from identities where user_id = ?1 order by created_at, id`)
        .bind(userId)
        .all<IdentityRow>();
      return results.map(identityOf);
    },

    async link(identity, event) {
      try {
        // A failed insert fails the batch, so the event is recorded only with the link.
        await d1.batch([insertIdentity(identity), ...(event ? [outboxStatement(d1, event, 'always')] : [])]);
      } catch (error) {
        if (conflictOf(error) === 'identity') return { ok: false, conflict: 'identity' };
        throw error;
      }
      return { ok: true };
    },

    async createUserWithIdentity(input, identity, events = []) {
      try {
        await d1.batch([
          d1
            .prepare(
              `insert into users (id, username, email, email_verified_at, created_at, updated_at)
               values (?1, ?2, ?3, ?4, ?5, ?5)`,
            )
            .bind(input.id, input.username, input.email, input.emailVerified ? input.now : null, input.now),
          d1
            .prepare(`insert into accounts (user_id, provider, password_hash) values (?1, 'password', null)`)
            .bind(input.id),
          d1
            .prepare(`insert into profiles (user_id, display_name, updated_at) values (?1, ?2, ?3)`)
            .bind(input.id, input.displayName, input.now),
          insertIdentity(identity),
          ...events.map((event) => outboxStatement(d1, event, 'always')),
        ]);
      } catch (error) {
        const conflict = conflictOf(error);
        if (conflict) return { ok: false, conflict };
        throw error;
      }
      return { ok: true, user: { ...newUserOf(input), emailVerifiedAt: input.emailVerified ? input.now : null } };
    },

    async unlink(userId, identityId, event) {
      // One statement: the other ways in are read in the same write, so of two parallel unlinks
      // of an account's last two identities, the second finds only one left and keeps it. The
      // event follows in the same batch, recorded only if the delete deleted.
      const deleteIdentity = d1
        .prepare(
          `delete from identities where id = ?1 and user_id = ?2 and (
             exists (select 1 from accounts where user_id = ?2 and password_hash is not null)
             or exists (select 1 from passkeys where user_id = ?2)
             or exists (select 1 from identities where user_id = ?2 and id <> ?1))
           returning id`,
        )
        .bind(identityId, userId);
      const [deleted] = await d1.batch<{ id: string }>([
        deleteIdentity,
        ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
      ]);
      if (deleted!.results.length > 0) return 'unlinked';
      const exists = await d1
        .prepare('select 1 as found from identities where id = ?1 and user_id = ?2')
        .bind(identityId, userId)
        .first();
      return exists ? 'last_way_in' : 'not_found';
    },

    async markUsed(identityId, now) {
      await d1.prepare('update identities set last_used_at = ?2 where id = ?1').bind(identityId, now).run();
    },
  };
}
