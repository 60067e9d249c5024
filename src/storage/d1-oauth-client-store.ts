// OAuthClientStore on D1: one row per client, its URI lists as JSON text. Deleting a client
// cascades (foreign keys) to its codes, grants, refresh tokens and consents.
import type { IdTokenAlgorithm, OAuthClient, OAuthClientStore } from '../core/oauth-server/oauth-client-store';

interface ClientRow {
  id: string;
  name: string;
  secret_digest: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  public: number;
  first_party: number;
  id_token_alg: string;
  created_at: number;
  updated_at: number;
}

const clientOf = (row: ClientRow): OAuthClient => ({
  id: row.id,
  name: row.name,
  secretDigest: row.secret_digest,
  redirectUris: JSON.parse(row.redirect_uris) as string[],
  postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
  public: row.public === 1,
  firstParty: row.first_party === 1,
  idTokenSignedResponseAlg: row.id_token_alg as IdTokenAlgorithm,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const valuesOf = (client: OAuthClient) => [
  client.id,
  client.name,
  client.secretDigest,
  JSON.stringify(client.redirectUris),
  JSON.stringify(client.postLogoutRedirectUris),
  client.public ? 1 : 0,
  client.firstParty ? 1 : 0,
  client.idTokenSignedResponseAlg,
  client.createdAt,
  client.updatedAt,
];

export function createD1OAuthClientStore(d1: D1Database): OAuthClientStore {
  return {
    async create(client) {
      await d1
        .prepare(
          `insert into oauth_clients (id, name, secret_digest, redirect_uris, post_logout_redirect_uris, public,
             first_party, id_token_alg, created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
        )
        .bind(...valuesOf(client))
        .run();
    },

    async find(id) {
      const row = await d1.prepare('select * from oauth_clients where id = ?1').bind(id).first<ClientRow>();
      return row ? clientOf(row) : null;
    },

    async list() {
      const { results } = await d1.prepare('select * from oauth_clients order by created_at, id').all<ClientRow>();
      return results.map(clientOf);
    },

    async update(client) {
      const result = await d1
        .prepare(
          `update oauth_clients set name = ?2, secret_digest = ?3, redirect_uris = ?4, post_logout_redirect_uris = ?5,
             public = ?6, first_party = ?7, id_token_alg = ?8, created_at = ?9, updated_at = ?10 where id = ?1`,
        )
        .bind(...valuesOf(client))
        .run();
      return result.meta.changes > 0;
    },

    async delete(id) {
      const result = await d1.prepare('delete from oauth_clients where id = ?1').bind(id).run();
      return result.meta.changes > 0;
    },
  };
}
