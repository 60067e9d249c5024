// Every storage port in memory, over one set of tables: for the core's plain-function tests and
// for hosts without D1 and KV. Not durable, one process only.
import type { Clock } from '../../core/kit/clock';
import { createMemoryEmailSignInStore } from './email-sign-ins';
import { createMemoryEmailTokenStore } from './email-tokens';
import { createMemoryEventStore, createMemoryWebhookStore } from './events';
import { createMemoryExpiredRecordStore } from './expired-records';
import { createMemoryIdentityStore } from './identities';
import { createMemoryLoginStore } from './login-store';
import { createMemoryMfaStore } from './mfa';
import { createMemoryOAuthClientStore, createMemoryOAuthGrantStore, createMemoryOAuthTables } from './oauth';
import { createMemoryPasskeyStore } from './passkeys';
import { createMemoryRevocationPublisher } from './revocations';
import { createMemorySessionRepository } from './sessions';
import { createMemoryTables } from './tables';
import { createMemoryThrottleStore } from './throttle';
import { createMemoryUserDirectory } from './user-directory';
import { createMemoryUserRepository } from './users';

export function createMemoryStorage(clock: Clock) {
  const tables = createMemoryTables();
  const oauthTables = createMemoryOAuthTables();
  return {
    tables,
    users: createMemoryUserRepository(tables),
    sessions: createMemorySessionRepository(tables),
    logins: createMemoryLoginStore(tables),
    mfa: createMemoryMfaStore(tables),
    throttle: createMemoryThrottleStore(tables),
    emailTokens: createMemoryEmailTokenStore(clock),
    emailSignIns: createMemoryEmailSignInStore(tables),
    identities: createMemoryIdentityStore(tables),
    expiredRecords: createMemoryExpiredRecordStore(tables),
    revocations: createMemoryRevocationPublisher(),
    userDirectory: createMemoryUserDirectory(tables),
    passkeys: createMemoryPasskeyStore(tables),
    oauthClients: createMemoryOAuthClientStore(oauthTables),
    oauthGrants: createMemoryOAuthGrantStore(oauthTables, tables),
    events: createMemoryEventStore(tables),
    webhooks: createMemoryWebhookStore(tables),
  };
}
