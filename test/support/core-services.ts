// The core's services made of the memory storage and fakes, for plain-function tests of the
// flows: no HTTP, no bindings. Time is the injected TestClock; deferred work runs on `settle()`.
import { register, verifyEmail } from '../../src/core/accounts/accounts';
import { login } from '../../src/core/passwords/login';
import type { AccessTokenIssuer } from '../../src/core/sessions/access-tokens';
import { createDataEncryptionKeys } from '../../src/core/kit/data-encryption';
import { bytesToBase64Url } from '../../src/core/kit/encoding';
import type { MailMessage } from '../../src/core/mail/mail';
import type { PasswordHasher } from '../../src/core/passwords/password-hasher';
import type { AccountServices } from '../../src/core/services';
import { type OutsideProviders, noOutsideProviders } from '../../src/core/identities/outside-provider';
import { createMemoryStorage } from '../../src/storage/memory';
import { TestClock } from './harness';

/** A hasher that costs nothing and counts its checks; the real one is tested on its own. */
function countingHasher() {
  const checks = { verify: 0, verifyDummy: 0 };
  const hasher: PasswordHasher = {
    hash: async (password) => `test$${password}`,
    verify: async (password, stored) => {
      checks.verify += 1;
      return stored === `test$${password}`;
    },
    verifyDummy: async () => {
      checks.verifyDummy += 1;
      return false;
    },
    needsUpgrade: () => false,
  };
  return { hasher, checks };
}

/** Access tokens as `<user id>.<session id>`: the flows only issue them and read them back. */
const plainAccessTokens: AccessTokenIssuer = {
  issue: async ({ userId, sessionId }) => `${userId}.${sessionId}`,
  verify: async (token) => {
    const [userId, sessionId] = token.split('.');
    return userId && sessionId ? { userId, sessionId } : null;
  },
  jwks: () => ({ keys: [] }),
};

export function createCoreServices(
  options: {
    maxFailures?: number;
    emailVerification?: 'required' | 'optional';
    /** Outside identity providers (fakes of src/federation's clients); none by default. */
    outsideProviders?: OutsideProviders;
  } = {},
) {
  const clock = new TestClock();
  const storage = createMemoryStorage(clock);
  const { hasher, checks } = countingHasher();
  const mails: MailMessage[] = [];
  const events: Array<{ event: string } & Record<string, unknown>> = [];
  const deferred: Array<Promise<void>> = [];
  const services: AccountServices = {
    users: storage.users,
    passkeys: storage.passkeys,
    oauthClients: storage.oauthClients,
    oauthGrants: storage.oauthGrants,
    openIdKeys: null,
    relyingParty: { id: 'app.example', name: 'Latchkey', origins: ['https://app.example'] },
    sessions: storage.sessions,
    logins: storage.logins,
    emailTokens: storage.emailTokens,
    emailSignIns: storage.emailSignIns,
    identities: storage.identities,
    outsideProviders: options.outsideProviders ?? noOutsideProviders,
    throttle: storage.throttle,
    mfa: storage.mfa,
    dataKeys: createDataEncryptionKeys({ current: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32))) }),
    userDirectory: storage.userDirectory,
    events: storage.events,
    webhooks: storage.webhooks,
    eventQueue: { send: async () => {} },
    revocations: storage.revocations,
    accessTokens: plainAccessTokens,
    mailer: { send: async (message) => void mails.push(message) },
    clock,
    passwords: hasher,
    checkNewPassword: async (password) => (password.length < 8 ? 'Use at least 8 characters.' : null),
    settings: {
      sessionTtlSeconds: 30 * 24 * 60 * 60,
      sessionMaxAgeSeconds: 90 * 24 * 60 * 60,
      accessTokenTtlSeconds: 900,
      emailTokenTtlSeconds: 600,
      refreshGraceSeconds: 30,
      emailVerification: options.emailVerification ?? 'required',
      emailSignIn: { enabled: true, signUp: true },
      newDeviceNotice: true,
      webhooksToPrivateAddresses: false,
      loginThrottle: { maxFailures: options.maxFailures ?? 5, windowSeconds: 900, lockoutSeconds: 900 },
      mailQuota: { maxPerHour: 3 },
      mail: { appName: 'Latchkey', appUrl: 'https://app.example', tokenTtlSeconds: 600 },
    },
    defer: (task) => void deferred.push(task()),
    log: (event) => void events.push(event),
  };
  return {
    services,
    storage,
    clock,
    checks,
    mails,
    events,
    /** Waits for the work flows deferred past their answer (mail, counter clean-up). */
    settle: async () => {
      while (deferred.length > 0) await Promise.all(deferred.splice(0));
    },
    /** The token of the newest mail to `email` whose link goes to `path`. */
    tokenFromMail(email: string, path: string): string {
      const mail = [...mails].reverse().find((message) => message.to === email && message.text.includes(path));
      const token = mail && /token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      if (!token) throw new Error(`no mail with ${path} to ${email}`);
      return token;
    },
  };
}

export type CoreFixture = ReturnType<typeof createCoreServices>;

let counter = 0;

/** Registers and verifies a user through the core flows; returns what was typed. */
export async function verifiedUser(fixture: CoreFixture) {
  counter += 1;
  const identity = {
    username: `core_${counter}`,
    email: `core.${counter}@example.com`,
    password: 'correct horse battery',
  };
  const user = await register(fixture.services, identity);
  await fixture.settle();
  await verifyEmail(fixture.services, fixture.tokenFromMail(identity.email, '/verify-email'));
  return { ...identity, id: user.id };
}

/** A verified user signed in by password through the core login; returns what was typed and the tokens. */
export async function signedInUser(fixture: CoreFixture) {
  const user = await verifiedUser(fixture);
  const tokens = await login(fixture.services, {
    identifier: user.username,
    password: user.password,
    userAgent: 'test',
  });
  return { user, tokens };
}
