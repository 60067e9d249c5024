// The D1 and KV implementations of every port over one database and one namespace, as the
// services build them (src/services.ts) minus the retries: for the workerd runner on the local
// bindings and for the Deno runner on SQLite and Deno KV.
import type { Clock } from '../../src/core/kit/clock';
import { sessionRevocationKey, userRevocationKey } from '../../src/core/sessions/revocations';
import { createD1EmailSignInStore } from '../../src/storage/d1-email-sign-in-store';
import { createD1ExpiredRecordStore } from '../../src/storage/d1-expired-record-store';
import { createD1IdentityStore } from '../../src/storage/d1-identity-store';
import { createD1EventStore } from '../../src/storage/d1-event-store';
import { createD1LoginStore } from '../../src/storage/d1-login-store';
import { createD1WebhookStore } from '../../src/storage/d1-webhook-store';
import { createD1MfaStore } from '../../src/storage/d1-mfa-store';
import { createD1PasskeyStore } from '../../src/storage/d1-passkey-store';
import { createD1OAuthClientStore } from '../../src/storage/d1-oauth-client-store';
import { createD1OAuthGrantStore } from '../../src/storage/d1-oauth-grant-store';
import { createD1SessionRepository } from '../../src/storage/d1-session-repository';
import { createD1ThrottleStore } from '../../src/storage/d1-throttle-store';
import { createD1UserDirectory } from '../../src/storage/d1-user-directory';
import { createD1UserRepository } from '../../src/storage/d1-user-repository';
import { createKvEmailTokenStore } from '../../src/storage/kv-email-token-store';
import { createKvRevocationPublisher } from '../../src/storage/kv-revocation-publisher';
import type { ContractStorage } from './suite';

/** Deletes every row, so a behaviour starts from empty tables as it does on a new memory store. */
export async function emptyTables(d1: D1Database): Promise<void> {
  const { results } = await d1
    .prepare(
      `select name from sqlite_master where type = 'table'
       and name not like 'sqlite\\_%' escape '\\' and name not like '\\_cf\\_%' escape '\\' and name <> 'd1_migrations'`,
    )
    .all<{ name: string }>();
  if (results.length > 0) await d1.batch(results.map(({ name }) => d1.prepare(`delete from "${name}"`)));
}

export function d1Storage(d1: D1Database, kv: KVNamespace, clock: Clock): ContractStorage {
  // A verifier reads the marker's whole seconds.
  const markerAt = async (key: string) => {
    const value = await kv.get(key);
    return value === null ? null : Number(value) * 1000;
  };
  return {
    users: createD1UserRepository(d1),
    sessions: createD1SessionRepository(d1),
    logins: createD1LoginStore(d1),
    mfa: createD1MfaStore(d1),
    passkeys: createD1PasskeyStore(d1),
    emailTokens: createKvEmailTokenStore(kv, clock),
    emailSignIns: createD1EmailSignInStore(d1),
    identities: createD1IdentityStore(d1),
    throttle: createD1ThrottleStore(d1),
    revocations: createKvRevocationPublisher(kv, { accessTokenTtlSeconds: 600 }),
    revocationMarkers: {
      sessionEndedAt: (sessionId) => markerAt(sessionRevocationKey(sessionId)),
      allSessionsEndedAt: (userId) => markerAt(userRevocationKey(userId)),
    },
    userDirectory: createD1UserDirectory(d1),
    expiredRecords: createD1ExpiredRecordStore(d1),
    events: createD1EventStore(d1),
    webhooks: createD1WebhookStore(d1),
    oauthClients: createD1OAuthClientStore(d1),
    oauthGrants: createD1OAuthGrantStore(d1),
  };
}
