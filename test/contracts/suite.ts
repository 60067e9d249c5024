// What a contract suite is given by its runner. Each `<port>.contract.ts` registers the behaviours
// its port promises, as Lucia's adapter tests do, once for every implementation: vitest runs them
// against memory and against D1/KV in workerd (test/contracts/ports.test.ts), Deno against the
// same D1 modules on SQLite and Deno KV (deno/test/contracts.test.ts). Suites import only
// `expect` from vitest, which runs under Deno as well; `describe` and `it` come from the runner,
// so Deno can turn each behaviour into a Deno.test.
import type { ExpiredRecordStore } from '../../src/core/sessions/expired-records';
import type { UserDirectory } from '../../src/core/admin/user-directory';
import type { Clock } from '../../src/core/kit/clock';
import type { EmailTokenStore } from '../../src/core/accounts/email-tokens';
import type { EventStore, WebhookStore } from '../../src/core/events/event-store';
import type { EmailSignInStore } from '../../src/core/email-sign-in/email-sign-in-store';
import type { IdentityStore } from '../../src/core/identities/identity-store';
import type { LoginStore } from '../../src/core/passwords/login-store';
import type { MfaStore } from '../../src/core/mfa/mfa-store';
import type { OAuthClientStore } from '../../src/core/oauth-server/oauth-client-store';
import type { OAuthGrantStore } from '../../src/core/oauth-server/oauth-grant-store';
import type { PasskeyStore } from '../../src/core/passkeys/passkey-store';
import type { RevocationPublisher } from '../../src/core/sessions/revocations';
import type { SessionRepository } from '../../src/core/sessions/sessions';
import type { ThrottleStore } from '../../src/core/mail/throttle';
import type { UserRepository } from '../../src/core/accounts/users';

export interface ContractTest {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
}

/**
 * What a verifier Worker reads of the revocation markers, in ms since the epoch (whole seconds
 * where the store keeps seconds): the one write-only port needs its implementation's read side.
 */
export interface RevocationMarkers {
  sessionEndedAt(sessionId: string): Promise<number | null>;
  allSessionsEndedAt(userId: string): Promise<number | null>;
}

/**
 * Every port of one implementation over one set of tables, as the services use them: a suite
 * tests one port and makes its fixtures (a user, a session) through the others.
 */
export interface ContractStorage {
  users: UserRepository;
  sessions: SessionRepository;
  logins: LoginStore;
  mfa: MfaStore;
  passkeys: PasskeyStore;
  emailTokens: EmailTokenStore;
  emailSignIns: EmailSignInStore;
  identities: IdentityStore;
  throttle: ThrottleStore;
  revocations: RevocationPublisher;
  revocationMarkers: RevocationMarkers;
  userDirectory: UserDirectory;
  expiredRecords: ExpiredRecordStore;
  /** Events out: the outbox and webhook endpoints. */
  events: EventStore;
  webhooks: WebhookStore;
  oauthClients: OAuthClientStore;
  oauthGrants: OAuthGrantStore;
}

/**
 * Opens the storage for one behaviour, with nothing in it that another behaviour wrote (the
 * cleanup deletes and the directory lists across all users); `clock` is what the stores that
 * read the time (the mail token stores) are given.
 */
export type OpenStorage = (clock: Clock) => Promise<ContractStorage>;

export type Contract = (test: ContractTest, open: OpenStorage) => void;
