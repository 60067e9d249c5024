// The OpenID Provider's ports in memory: clients, codes, grants, refresh tokens and consents over
// maps of their own. Each method works synchronously between awaits, so its conditional writes
// are atomic as a D1 batch is. Deleting a client or a grant removes what hangs off it, as D1's
// foreign keys do.
import type { OAuthClient, OAuthClientStore } from '../../core/oauth-server/oauth-client-store';
import type {
  Consent,
  OAuthGrant,
  OAuthGrantStore,
  OAuthRefreshToken,
  StoredAuthorizationCode,
} from '../../core/oauth-server/oauth-grant-store';
import { type MemoryTables, recordEvent } from './tables';

export interface MemoryOAuthTables {
  clients: Map<string, OAuthClient>;
  codes: Map<string, StoredAuthorizationCode>;
  grants: Map<string, OAuthGrant>;
  refreshTokens: Map<string, OAuthRefreshToken & { successorDigest: string | null }>;
  consents: Map<string, Consent>;
}

export function createMemoryOAuthTables(): MemoryOAuthTables {
  return { clients: new Map(), codes: new Map(), grants: new Map(), refreshTokens: new Map(), consents: new Map() };
}

const consentKey = (userId: string, clientId: string) => `${userId}\n${clientId}`;

function deleteGrant(tables: MemoryOAuthTables, id: string) {
  tables.grants.delete(id);
  for (const [digest, token] of tables.refreshTokens) if (token.grantId === id) tables.refreshTokens.delete(digest);
}

export function createMemoryOAuthClientStore(tables: MemoryOAuthTables): OAuthClientStore {
  return {
    async create(client) {
      tables.clients.set(client.id, structuredClone(client));
    },
    async find(id) {
      const client = tables.clients.get(id);
      return client ? structuredClone(client) : null;
    },
    async list() {
      return [...tables.clients.values()]
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
        .map((client) => structuredClone(client));
    },
    async update(client) {
      if (!tables.clients.has(client.id)) return false;
      tables.clients.set(client.id, structuredClone(client));
      return true;
    },
    async delete(id) {
      if (!tables.clients.delete(id)) return false;
      for (const [digest, code] of tables.codes) if (code.clientId === id) tables.codes.delete(digest);
      for (const grant of [...tables.grants.values()]) if (grant.clientId === id) deleteGrant(tables, grant.id);
      for (const [key, consent] of tables.consents) if (consent.clientId === id) tables.consents.delete(key);
      return true;
    },
  };
}

/** `shared`: the account tables, whose outbox the consent events go to. */
export function createMemoryOAuthGrantStore(tables: MemoryOAuthTables, shared: MemoryTables): OAuthGrantStore {
  return {
    async saveCode(code, forgetBefore) {
      let forgotten = 0;
      for (const [digest, old] of tables.codes) {
        if (forgotten >= 20) break;
        if (old.expiresAt < forgetBefore) {
          tables.codes.delete(digest);
          forgotten += 1;
        }
      }
      tables.codes.set(code.digest, { ...structuredClone(code), usedAt: null, grantId: null });
    },
    async findCode(digest) {
      const code = tables.codes.get(digest);
      return code ? structuredClone(code) : null;
    },
    async redeemCode(digest, { grant, refreshToken }, now) {
      const code = tables.codes.get(digest);
      if (!code || code.usedAt !== null || code.expiresAt <= now) return false;
      code.usedAt = now;
      code.grantId = grant.id;
      tables.grants.set(grant.id, structuredClone(grant));
      tables.refreshTokens.set(refreshToken.digest, { ...refreshToken, successorDigest: null });
      return true;
    },
    async findRefreshToken(digest) {
      const row = tables.refreshTokens.get(digest);
      const grant = row && tables.grants.get(row.grantId);
      if (!row || !grant) return null;
      const { successorDigest: _, ...token } = row;
      return { token, grant: structuredClone(grant) };
    },
    async rotateRefreshToken(digest, successor, now, forgetBefore) {
      const row = tables.refreshTokens.get(digest);
      if (!row || row.rotatedAt !== null || !tables.grants.has(row.grantId)) return false;
      row.rotatedAt = now;
      row.successorDigest = successor.digest;
      tables.refreshTokens.set(successor.digest, { ...successor, successorDigest: null });
      for (const [old, token] of tables.refreshTokens) {
        if (token.grantId === successor.grantId && token.rotatedAt !== null && token.rotatedAt < forgetBefore) {
          tables.refreshTokens.delete(old);
        }
      }
      return true;
    },
    async findGrant(id) {
      const grant = tables.grants.get(id);
      return grant ? structuredClone(grant) : null;
    },
    async revokeGrant(id) {
      deleteGrant(tables, id);
    },
    async saveConsent(consent, event) {
      tables.consents.set(consentKey(consent.userId, consent.clientId), structuredClone(consent));
      return recordEvent(shared, event);
    },
    async findConsent(userId, clientId) {
      const consent = tables.consents.get(consentKey(userId, clientId));
      return consent ? structuredClone(consent) : null;
    },
    async listConsents(userId) {
      return [...tables.consents.values()]
        .filter((consent) => consent.userId === userId)
        .sort((a, b) => a.grantedAt - b.grantedAt || a.clientId.localeCompare(b.clientId))
        .map((consent) => structuredClone(consent));
    },
    async revokeConsent(userId, clientId, event) {
      for (const grant of [...tables.grants.values()]) {
        if (grant.userId === userId && grant.clientId === clientId) deleteGrant(tables, grant.id);
      }
      const revoked = tables.consents.delete(consentKey(userId, clientId));
      return { revoked, stored: revoked ? recordEvent(shared, event) : null };
    },
  };
}
