// OAuthGrantStore on D1. Redeeming a code is one batch (a transaction): a conditional update marks
// the code used by a fresh grant id, and the grant and its first refresh token are inserted only
// where that update took, so of parallel redemptions exactly one stores anything. Rotating a
// refresh token is the same shape: the successor is inserted only where the old token was marked.
import type {
  AuthorizationCode,
  Consent,
  OAuthGrant,
  OAuthGrantStore,
  OAuthRefreshToken,
  StoredAuthorizationCode,
} from '../core/oauth-server/oauth-grant-store';
import { parseAmr } from '../core/sessions/sessions';
import { outboxStatement, storedEventOf } from './d1-event-outbox';

interface CodeRow {
  digest: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  scopes: string;
  nonce: string | null;
  auth_time: number;
  amr: string;
  credential_version: number;
  expires_at: number;
  used_at: number | null;
  grant_id: string | null;
}

interface GrantRow {
  id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  auth_time: number;
  amr: string;
  credential_version: number;
  created_at: number;
}

interface ConsentRow {
  user_id: string;
  client_id: string;
  scopes: string;
  granted_at: number;
}

const words = (text: string) => text.split(' ').filter(Boolean);

const codeOf = (row: CodeRow): StoredAuthorizationCode => ({
  digest: row.digest,
  clientId: row.client_id,
  userId: row.user_id,
  redirectUri: row.redirect_uri,
  codeChallenge: row.code_challenge,
  scopes: words(row.scopes),
  nonce: row.nonce,
  authTime: row.auth_time,
  amr: parseAmr(row.amr),
  credentialVersion: row.credential_version,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  grantId: row.grant_id,
});

const grantOf = (row: GrantRow): OAuthGrant => ({
  id: row.id,
  clientId: row.client_id,
  userId: row.user_id,
  scopes: words(row.scopes),
  authTime: row.auth_time,
  amr: parseAmr(row.amr),
  credentialVersion: row.credential_version,
  createdAt: row.created_at,
});

const consentOf = (row: ConsentRow): Consent => ({
  userId: row.user_id,
  clientId: row.client_id,
  scopes: words(row.scopes),
  grantedAt: row.granted_at,
});

export function createD1OAuthGrantStore(d1: D1Database): OAuthGrantStore {
  return {
    async saveCode(code: AuthorizationCode, forgetBefore) {
      await d1.batch([
        // Bounded, so one save never does much: each new code clears a few old ones.
        d1
          .prepare(
            'delete from oauth_codes where rowid in (select rowid from oauth_codes where expires_at < ?1 limit 20)',
          )
          .bind(forgetBefore),
        d1
          .prepare(
            `insert into oauth_codes (digest, client_id, user_id, redirect_uri, code_challenge, scopes, nonce, auth_time,
             amr, credential_version, expires_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
          )
          .bind(
            code.digest,
            code.clientId,
            code.userId,
            code.redirectUri,
            code.codeChallenge,
            code.scopes.join(' '),
            code.nonce,
            code.authTime,
            code.amr.join(' '),
            code.credentialVersion,
            code.expiresAt,
          ),
      ]);
    },

    async findCode(digest) {
      const row = await d1.prepare('select * from oauth_codes where digest = ?1').bind(digest).first<CodeRow>();
      return row ? codeOf(row) : null;
    },

    async redeemCode(digest, { grant, refreshToken }, now) {
      const [marked] = await d1.batch([
        d1
          .prepare(
            'update oauth_codes set used_at = ?2, grant_id = ?3 where digest = ?1 and used_at is null and expires_at > ?2',
          )
          .bind(digest, now, grant.id),
        d1
          .prepare(
            `insert into oauth_grants (id, client_id, user_id, scopes, auth_time, amr, credential_version, created_at)
             select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 where exists (select 1 from oauth_codes where digest = ?9 and grant_id = ?1)`,
          )
          .bind(
            grant.id,
            grant.clientId,
            grant.userId,
            grant.scopes.join(' '),
            grant.authTime,
            grant.amr.join(' '),
            grant.credentialVersion,
            grant.createdAt,
            digest,
          ),
        d1
          .prepare(
            `insert into oauth_refresh_tokens (digest, grant_id, created_at, expires_at)
             select ?1, ?2, ?3, ?4 where exists (select 1 from oauth_grants where id = ?2)`,
          )
          .bind(refreshToken.digest, refreshToken.grantId, refreshToken.createdAt, refreshToken.expiresAt),
      ]);
      return marked!.meta.changes === 1;
    },

    async findRefreshToken(digest) {
      const row = await d1
        .prepare(
          `select t.digest, t.grant_id, t.created_at as token_created_at, t.expires_at, t.rotated_at, g.*
           from oauth_refresh_tokens t join oauth_grants g on g.id = t.grant_id where t.digest = ?1`,
        )
        .bind(digest)
        .first<
          GrantRow & {
            digest: string;
            grant_id: string;
            token_created_at: number;
            expires_at: number;
            rotated_at: number | null;
          }
        >();
      if (!row) return null;
      const token: OAuthRefreshToken = {
        digest: row.digest,
        grantId: row.grant_id,
        createdAt: row.token_created_at,
        expiresAt: row.expires_at,
        rotatedAt: row.rotated_at,
      };
      return { token, grant: grantOf(row) };
    },

    async rotateRefreshToken(digest, successor, now, forgetBefore) {
      const [marked] = await d1.batch([
        d1
          .prepare(
            'update oauth_refresh_tokens set rotated_at = ?2, successor_digest = ?3 where digest = ?1 and rotated_at is null',
          )
          .bind(digest, now, successor.digest),
        d1
          .prepare(
            `insert into oauth_refresh_tokens (digest, grant_id, created_at, expires_at)
             select ?2, ?3, ?4, ?5 where exists (select 1 from oauth_refresh_tokens where digest = ?1 and successor_digest = ?2)`,
          )
          .bind(digest, successor.digest, successor.grantId, successor.createdAt, successor.expiresAt),
        d1
          .prepare('delete from oauth_refresh_tokens where grant_id = ?1 and rotated_at < ?2')
          .bind(successor.grantId, forgetBefore),
      ]);
      return marked!.meta.changes === 1;
    },

    async findGrant(id) {
      const row = await d1.prepare('select * from oauth_grants where id = ?1').bind(id).first<GrantRow>();
      return row ? grantOf(row) : null;
    },

    async revokeGrant(id) {
      // The refresh tokens go with it (foreign key, on delete cascade).
      await d1.prepare('delete from oauth_grants where id = ?1').bind(id).run();
    },

    async saveConsent(consent, event) {
      const upsert = d1
        .prepare(
          `insert into oauth_consents (user_id, client_id, scopes, granted_at) values (?1, ?2, ?3, ?4)
           on conflict (user_id, client_id) do update set scopes = ?3, granted_at = ?4`,
        )
        .bind(consent.userId, consent.clientId, consent.scopes.join(' '), consent.grantedAt);
      if (!event) {
        await upsert.run();
        return null;
      }
      const [, recorded] = await d1.batch([upsert, outboxStatement(d1, event, 'always')]);
      return storedEventOf(event, recorded);
    },

    async findConsent(userId, clientId) {
      const row = await d1
        .prepare('select * from oauth_consents where user_id = ?1 and client_id = ?2')
        .bind(userId, clientId)
        .first<ConsentRow>();
      return row ? consentOf(row) : null;
    },

    async listConsents(userId) {
      const { results } = await d1
        .prepare('select * from oauth_consents where user_id = ?1 order by granted_at, client_id')
        .bind(userId)
        .all<ConsentRow>();
      return results.map(consentOf);
    },

    async revokeConsent(userId, clientId, event) {
      const [, consent, recorded] = await d1.batch([
        d1.prepare('delete from oauth_grants where user_id = ?1 and client_id = ?2').bind(userId, clientId),
        d1.prepare('delete from oauth_consents where user_id = ?1 and client_id = ?2').bind(userId, clientId),
        // Right after the consent's delete: recorded only if a consent was there.
        ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
      ]);
      return { revoked: consent!.meta.changes > 0, stored: event ? storedEventOf(event, recorded) : null };
    },
  };
}
