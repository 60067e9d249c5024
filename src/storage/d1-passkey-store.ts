// PasskeyStore on D1. Using a challenge is one `DELETE ... RETURNING` with every condition in its
// WHERE clause, and moving a signature counter one `UPDATE ... WHERE sign_count = seen`: D1 runs
// each statement atomically, so concurrent requests have exactly one winner.
import type { Ceremony, Passkey, PasskeyChallenge, PasskeyStore } from '../core/passkeys/passkey-store';
import type { CoseAlgorithm } from '../core/passkeys/webauthn/types';
import { type UserSqlRow, userOfRow, userSqlColumns } from './user-columns';
import { outboxStatement } from './d1-event-outbox';

interface PasskeyRow {
  id: string;
  credential_id: string;
  user_id: string;
  user_handle: string;
  public_key: string;
  algorithm: number;
  sign_count: number;
  transports: string;
  aaguid: string;
  backup_eligible: number;
  backed_up: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

interface OwnerRow extends PasskeyRow, UserSqlRow {
  credential_version: number;
}

interface ChallengeRow {
  id: string;
  challenge: string;
  ceremony: Ceremony;
  user_id: string | null;
  user_handle: string | null;
  created_at: number;
  expires_at: number;
}

const columnNames = `id, credential_id, user_id, user_handle, public_key, algorithm, sign_count, transports, aaguid,
  backup_eligible, backed_up, name, created_at, last_used_at`;
const passkeyColumns = columnNames.replace(/(\w+)/g, 'p.$1');

function passkeyOf(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    credentialId: row.credential_id,
    userId: row.user_id,
    userHandle: row.user_handle,
    publicKey: row.public_key,
    algorithm: row.algorithm as CoseAlgorithm,
    signCount: row.sign_count,
    transports: JSON.parse(row.transports) as string[],
    aaguid: row.aaguid,
    backupEligible: row.backup_eligible === 1,
    backedUp: row.backed_up === 1,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

function challengeOf(row: ChallengeRow): PasskeyChallenge {
  return {
    id: row.id,
    challenge: row.challenge,
    ceremony: row.ceremony,
    userId: row.user_id,
    userHandle: row.user_handle,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function createD1PasskeyStore(d1: D1Database): PasskeyStore {
  return {
    async ensureUserHandle(userId, candidate) {
      const [, selected] = await d1.batch<{ handle: string }>([
        d1
          .prepare(
            'insert into passkey_user_handles (user_id, handle) values (?1, ?2) on conflict (user_id) do nothing',
          )
          .bind(userId, candidate),
        d1.prepare('select handle from passkey_user_handles where user_id = ?1').bind(userId),
      ]);
      return selected!.results[0]!.handle;
    },

    async listForUser(userId) {
      const { results } = await d1
        .prepare(`select ${passkeyColumns} from passkeys p where p.user_id = ?1 order by p.created_at, p.id`)
        .bind(userId)
        .all<PasskeyRow>();
      return results.map(passkeyOf);
    },

    async saveChallenge(challenge) {
      await d1.batch([
        // Expired challenges go as new ones come, so abandoned ceremonies do not pile up.
        d1.prepare('delete from passkey_challenges where expires_at <= ?1').bind(challenge.createdAt),
        d1
          .prepare(
            `insert into passkey_challenges (id, challenge, ceremony, user_id, user_handle, created_at, expires_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
          )
          .bind(
            challenge.id,
            challenge.challenge,
            challenge.ceremony,
            challenge.userId,
            challenge.userHandle,
            challenge.createdAt,
            challenge.expiresAt,
          ),
      ]);
    },

    async takeChallenge(id, ceremony, now, userId) {
      const row = await d1
        .prepare(
          `delete from passkey_challenges where id = ?1 and ceremony = ?2 and expires_at > ?3
           and (?4 is null or user_id = ?4)
           returning id, challenge, ceremony, user_id, user_handle, created_at, expires_at`,
        )
        .bind(id, ceremony, now, userId ?? null)
        .first<ChallengeRow>();
      return row ? challengeOf(row) : null;
    },

    async add(passkey, event) {
      const insert = d1
        .prepare(
          `insert into passkeys (id, credential_id, user_id, user_handle, public_key, algorithm, sign_count,
             transports, aaguid, backup_eligible, backed_up, name, created_at, last_used_at)
           values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
           on conflict (credential_id) do nothing
           returning id`,
        )
        .bind(
          passkey.id,
          passkey.credentialId,
          passkey.userId,
          passkey.userHandle,
          passkey.publicKey,
          passkey.algorithm,
          passkey.signCount,
          JSON.stringify(passkey.transports),
          passkey.aaguid,
          passkey.backupEligible ? 1 : 0,
          passkey.backedUp ? 1 : 0,
          passkey.name,
          passkey.createdAt,
          passkey.lastUsedAt,
        );
      if (!event) return (await insert.first<{ id: string }>()) !== null;
      const [inserted] = await d1.batch([insert, outboxStatement(d1, event, 'if-changed')]);
      return inserted!.results.length === 1;
    },

    async findByCredentialId(credentialId) {
      const row = await d1
        .prepare(
          `select ${passkeyColumns}, ${userSqlColumns('u', 'pr')}, a.credential_version
           from passkeys p
           join users u on u.id = p.user_id
           join accounts a on a.user_id = p.user_id
           left join profiles pr on pr.user_id = p.user_id
           where p.credential_id = ?1`,
        )
        .bind(credentialId)
        .first<OwnerRow>();
      if (!row) return null;
      return {
        passkey: passkeyOf(row),
        owner: {
          user: userOfRow(row),
          credentialVersion: row.credential_version,
        },
      };
    },

    async recordUse({ id, seenSignCount, signCount, backedUp, now }) {
      const moved = await d1
        .prepare(
          `update passkeys set sign_count = ?3, backed_up = ?4, last_used_at = ?5
           where id = ?1 and sign_count = ?2 returning id`,
        )
        .bind(id, seenSignCount, signCount, backedUp ? 1 : 0, now)
        .first<{ id: string }>();
      return moved !== null;
    },

    async rename(userId, id, name) {
      const row = await d1
        .prepare(`update passkeys set name = ?3 where id = ?1 and user_id = ?2 returning ${columnNames}`)
        .bind(id, userId, name)
        .first<PasskeyRow>();
      return row ? passkeyOf(row) : null;
    },

    async remove(userId, id, event) {
      const deletion = d1
        .prepare(`delete from passkeys where id = ?1 and user_id = ?2 returning ${columnNames}`)
        .bind(id, userId);
      const [deleted] = await d1.batch([deletion, ...(event ? [outboxStatement(d1, event, 'if-changed')] : [])]);
      const row = (deleted!.results as PasskeyRow[])[0];
      return row ? passkeyOf(row) : null;
    },
  };
}
