// The one place where Worker bindings become services. Handlers receive AccountServices, never
// raw bindings, so the core stays testable without HTTP and portable to other runtimes.
//
// Most of a service set depends only on the bindings and settings, which workerd hands to every
// request of an isolate as the same object: that part is built once per isolate (importing the
// signing key, parsing settings, creating the drizzle clients). Only the request's own pieces
// (waitUntil, origin, the client address for log lines) are made per request.
//
// With SESSION_READS=replica, only a request that changes nothing (GET, HEAD) authenticates at a
// read replica. One that changes state authenticates at the primary: a session ended a moment ago
// may still be live at a lagging replica, and must not rename a passkey or move an address there.
import { createAccessTokenIssuer, publicJwkOf } from './core/sessions/access-tokens';
import { createPwnedPasswordsChecker } from './core/passwords/breached-passwords';
import { type Clock, systemClock } from './core/kit/clock';
import {
  type CommonPasswords,
  type CommonPasswordsLoader,
  createCommonPasswordsSource,
} from './core/passwords/common-passwords';
import { createDataEncryptionKeys } from './core/kit/data-encryption';
import { throttleCounterFamilies } from './core/sessions/expired-records';
import type { Mailer } from './core/mail/mail';
import { type PasswordHasher, createPasswordHasher } from './core/passwords/password-hasher';
import { createPasswordPeppers } from './core/passwords/password-pepper';
import { checkPasswordPolicy } from './core/passwords/password-policy';
import { noRevocationPublisher } from './core/sessions/revocations';
import type { AccountServices, AccountSettings, PasswordPolicyCheck } from './core/services';
import type { SessionRepository } from './core/sessions/sessions';
import { type Config, type Env, readConfig } from './config';
import { consoleSink } from './log-sink';
import { relyingPartyOf } from './relying-party';
import { createConsoleMailer } from './mail/console-mailer';
import { createResendMailer } from './mail/resend-mailer';
import { createD1ExpiredRecordStore } from './storage/d1-expired-record-store';
import { createD1LoginStore } from './storage/d1-login-store';
import { createD1EmailSignInStore } from './storage/d1-email-sign-in-store';
import { createD1IdentityStore } from './storage/d1-identity-store';
import { createOutsideProviders } from './federation';
import { createD1MfaStore } from './storage/d1-mfa-store';
import { createD1PasskeyStore } from './storage/d1-passkey-store';
import { createD1OAuthClientStore } from './storage/d1-oauth-client-store';
import { createD1OAuthGrantStore } from './storage/d1-oauth-grant-store';
import { type OpenIdKeys, createOpenIdKeys } from './core/oauth-server/signing-keys';
import { type SessionReads, createD1SessionRepository } from './storage/d1-session-repository';
import { createD1ThrottleStore } from './storage/d1-throttle-store';
import { createD1UserDirectory } from './storage/d1-user-directory';
import { createD1UserRepository } from './storage/d1-user-repository';
import { createD1EventStore } from './storage/d1-event-store';
import { createD1WebhookStore } from './storage/d1-webhook-store';
import { createQueueEventQueue } from './storage/queue-event-queue';
import type { ClientLocation, EventQueue } from './core/events/event-store';
import { createKvEmailTokenStore } from './storage/kv-email-token-store';
import { createKvRevocationPublisher } from './storage/kv-revocation-publisher';
import { checkReadiness } from './storage/readiness';
import { classifyStorageError } from './storage/transient-errors';
import { retryingEmailTokens, retryingSessions, retryingThrottle, retryingUsers } from './storage/retrying-stores';

/** How long the readiness probe waits for each dependency before calling it down. */
const READINESS_TIMEOUT_MS = 1000;

/** What tests (and other hosts) may replace: time, outbound HTTP and the log sink. */
export interface ServiceOverrides {
  clock?: Clock;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Wraps the password hasher, e.g. so a test can count password checks. */
  wrapPasswords?: (hasher: PasswordHasher) => PasswordHasher;
  /** Wraps the D1 and KV bindings, e.g. so a fault-injection test can fail a chosen call. */
  wrapStorage?: (bindings: StorageBindings) => StorageBindings;
  /** Reads the common-password set; by default from the ASSETS binding (assetCommonPasswords). */
  commonPasswords?: CommonPasswordsLoader;
  /** Where webhook deliveries are sent; by default the EVENTS_QUEUE binding. */
  eventQueue?: EventQueue;
}

/** Where the common-password set lives among the static assets (public/, served by the Worker of wrangler.assets.toml). */
export const COMMON_PASSWORDS_ASSET = '/common-passwords.json';

/** Reads the set from the static assets; any failure (no binding, 404, bad JSON) is a rejection. */
export function assetCommonPasswords(assets: Fetcher | undefined): CommonPasswordsLoader {
  return async () => {
    if (!assets) throw new Error('no ASSETS binding');
    const response = await assets.fetch(new Request(`https://assets.local${COMMON_PASSWORDS_ASSET}`));
    if (!response.ok) throw new Error(`${COMMON_PASSWORDS_ASSET}: HTTP ${response.status}`);
    return response.json();
  };
}

export interface StorageBindings {
  db: D1Database;
  kv: KVNamespace;
}

/** The bindings the services use: the real ones, or the test's wrappers around them. */
function storageOf(env: Env, overrides: ServiceOverrides): StorageBindings {
  const bindings = { db: env.DB, kv: env.KV };
  return overrides.wrapStorage ? overrides.wrapStorage(bindings) : bindings;
}

export interface RequestContext {
  /** The request's own origin, used for links only in development when APP_URL is unset. */
  origin: string;
  /** A pseudonym of the client address for log lines, computed only when a line is written. */
  clientIpHash: () => Promise<string>;
  waitUntil(promise: Promise<unknown>): void;
  /** The request may change state (any method but GET, HEAD, OPTIONS): it authenticates at the primary. */
  changesState: boolean;
  /** Roughly where the client is (request.cf country and city), when the platform tells. */
  location?: () => ClientLocation | null;
}

type IsolateServices = Omit<AccountServices, 'defer' | 'log' | 'checkNewPassword' | 'settings' | 'relyingParty'> & {
  config: Config;
  commonPasswords: () => Promise<CommonPasswords>;
  settings: Omit<AccountSettings, 'mail'>;
  fetch: typeof fetch;
  /** The sessions of state-changing requests: `sessions` itself when SESSION_READS=primary. */
  primarySessions: SessionRepository;
};

type IsolateOnly = 'config' | 'commonPasswords' | 'settings' | 'fetch' | 'primarySessions';

/** The services of an isolate, with the part every request shares as it is (`base`) split out once. */
interface IsolateParts extends Pick<IsolateServices, IsolateOnly> {
  base: Omit<IsolateServices, IsolateOnly>;
}

function isolatePartsOf(services: IsolateServices): IsolateParts {
  const { config, commonPasswords, settings, fetch, primarySessions, ...base } = services;
  return { config, commonPasswords, settings, fetch, primarySessions, base };
}

function mailerFor(config: Config, env: Env, clock: Clock, fetcher: typeof fetch, log: (line: string) => void): Mailer {
  if (config.MAIL_PROVIDER === 'console') return createConsoleMailer(env.KV, () => clock.now(), log);
  // readConfig has already refused a resend setup without a key or sender.
  return createResendMailer({ apiKey: config.RESEND_API_KEY!, from: config.MAIL_FROM!, fetch: fetcher });
}

/** The OpenID Provider's keys: the RSA ones of its own, and the access-token EC key beside them. */
function openIdKeysFor(config: Config): OpenIdKeys | null {
  if (!config.OIDC_RSA_PRIVATE_JWK) return null;
  const ecKeys = [config.JWT_PRIVATE_JWK, config.JWT_NEXT_PUBLIC_JWK, config.JWT_PREVIOUS_PUBLIC_JWK];
  return createOpenIdKeys({
    rsaPrivateJwk: config.OIDC_RSA_PRIVATE_JWK,
    rsaNextPublicJwk: config.OIDC_RSA_NEXT_PUBLIC_JWK,
    rsaPreviousPublicJwk: config.OIDC_RSA_PREVIOUS_PUBLIC_JWK,
    ecPrivateJwk: config.JWT_PRIVATE_JWK,
    ecPublicJwks: { keys: ecKeys.filter((jwk) => jwk !== undefined).map(publicJwkOf) },
  });
}

function passwordPolicyFor(
  config: Config,
  fetcher: typeof fetch,
  commonPasswords: () => Promise<CommonPasswords>,
  log: AccountServices['log'],
): PasswordPolicyCheck {
  const breached =
    config.PASSWORD_BREACH_CHECK === 'on'
      ? createPwnedPasswordsChecker({ fetch: fetcher, log: (event) => log({ event: 'pwned_passwords', ...event }) })
      : null;
  return async (password, owner) => {
    // Fails closed: without the common-password list, a 503 `unavailable` and no new password.
    const common = await commonPasswords();
    const result = checkPasswordPolicy(password, owner, { minLength: config.PASSWORD_MIN_LENGTH }, common);
    if (!result.ok) return result.message;
    if (breached && (await breached.isBreached(password))) {
      return 'This password has appeared in a known data breach. Choose another.';
    }
    return null;
  };
}

/** The data key ring (TOTP and webhook secrets are stored encrypted under it). */
function dataKeysFor(config: Config) {
  return createDataEncryptionKeys({
    current: config.DATA_ENCRYPTION_KEY,
    version: config.DATA_ENCRYPTION_KEY_VERSION,
    previous: config.DATA_ENCRYPTION_KEY_PREVIOUS,
  });
}

/** Outbound HTTP: the test's, or the platform's (called through a wrapper, never detached). */
function fetcherOf(overrides: ServiceOverrides): typeof fetch {
  return overrides.fetch ?? ((input, init) => fetch(input, init));
}

function buildIsolateServices(env: Env, overrides: ServiceOverrides, log: (line: string) => void): IsolateServices {
  const config = readConfig(env);
  const clock = overrides.clock ?? systemClock;
  const fetcher = fetcherOf(overrides);
  const { db, kv } = storageOf(env, overrides);
  // Reads and idempotent writes get one quick retry (src/storage/retrying-stores.ts says which).
  const retries = {
    log: (event: { event: string } & Record<string, unknown>) => log(JSON.stringify({ level: 'warn', ...event })),
  };
  const sessionsReading = (reads: SessionReads) => retryingSessions(createD1SessionRepository(db, { reads }), retries);
  const sessions = sessionsReading(config.SESSION_READS);
  return {
    config,
    commonPasswords: createCommonPasswordsSource(
      overrides.commonPasswords ?? assetCommonPasswords(env.ASSETS),
      retries.log,
    ),
    fetch: fetcher,
    users: retryingUsers(createD1UserRepository(db), retries),
    sessions,
    primarySessions: config.SESSION_READS === 'primary' ? sessions : sessionsReading('primary'),
    logins: createD1LoginStore(db),
    emailTokens: retryingEmailTokens(createKvEmailTokenStore(kv, clock), retries),
    throttle: retryingThrottle(createD1ThrottleStore(db), retries),
    mfa: createD1MfaStore(db),
    emailSignIns: createD1EmailSignInStore(db),
    identities: createD1IdentityStore(db),
    outsideProviders: createOutsideProviders(config.outsideProviders, { fetch: fetcher, clock }),
    dataKeys: dataKeysFor(config),
    userDirectory: createD1UserDirectory(db),
    passkeys: createD1PasskeyStore(db),
    events: createD1EventStore(db),
    webhooks: createD1WebhookStore(db),
    eventQueue: overrides.eventQueue ?? createQueueEventQueue(env.EVENTS_QUEUE),
    // A namespace of its own: verifier Workers bind it read-only and must not see mail tokens.
    revocations: env.REVOCATIONS
      ? createKvRevocationPublisher(env.REVOCATIONS, { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS })
      : noRevocationPublisher,
    accessTokens: createAccessTokenIssuer({
      privateJwk: config.JWT_PRIVATE_JWK,
      previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_JWK,
      nextPublicJwk: config.JWT_NEXT_PUBLIC_JWK,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    }),
    mailer: mailerFor(config, env, clock, fetcher, log),
    oauthClients: createD1OAuthClientStore(db),
    oauthGrants: createD1OAuthGrantStore(db),
    openIdKeys: openIdKeysFor(config),
    clock,
    passwords: (overrides.wrapPasswords ?? ((hasher) => hasher))(
      createPasswordHasher(
        createPasswordPeppers({
          current: config.PASSWORD_PEPPER,
          version: config.PASSWORD_PEPPER_VERSION,
          previous: config.PASSWORD_PEPPER_PREVIOUS,
        }),
      ),
    ),
    settings: {
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      emailTokenTtlSeconds: config.EMAIL_TOKEN_TTL_SECONDS,
      refreshGraceSeconds: config.REFRESH_GRACE_SECONDS,
      emailVerification: config.EMAIL_VERIFICATION,
      emailSignIn: { enabled: config.EMAIL_SIGN_IN === 'on', signUp: config.EMAIL_SIGN_UP === 'on' },
      newDeviceNotice: config.NEW_DEVICE_NOTICE === 'on',
      webhooksToPrivateAddresses: config.ENVIRONMENT === 'development',
      loginThrottle: {
        maxFailures: config.LOGIN_MAX_FAILURES,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
        lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
      },
      mailQuota: { maxPerHour: config.MAIL_MAX_PER_HOUR },
    },
  };
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown');

/** Makes the services of each request; one factory per app, caching per bindings object. */
export function createServiceFactory(overrides: ServiceOverrides = {}) {
  const sink = overrides.log ?? consoleSink;
  const perIsolate = new WeakMap<Env, IsolateParts>();

  return function servicesFor(env: Env, request: RequestContext): AccountServices {
    let shared = perIsolate.get(env);
    if (!shared) {
      shared = isolatePartsOf(buildIsolateServices(env, overrides, sink));
      perIsolate.set(env, shared);
    }
    const { config, fetch: fetcher, commonPasswords, primarySessions, base } = shared;
    const log: AccountServices['log'] = (event) =>
      request.waitUntil(request.clientIpHash().then((ip) => sink(JSON.stringify({ level: 'info', ...event, ip }))));
    // What depends on the request (its origin, its log) is built only by the flows that use it:
    // most requests (a session check, a login) never read these.
    let settings: AccountSettings | undefined;
    let relyingParty: AccountServices['relyingParty'] | undefined;
    let checkNewPassword: PasswordPolicyCheck | undefined;
    const isolateSettings = shared.settings;
    return {
      ...base,
      sessions: request.changesState ? primarySessions : base.sessions,
      clientLocation: request.location,
      get settings() {
        return (settings ??= {
          ...isolateSettings,
          mail: {
            appName: config.APP_NAME,
            appUrl: config.APP_URL ?? request.origin,
            tokenTtlSeconds: config.EMAIL_TOKEN_TTL_SECONDS,
          },
        });
      },
      get relyingParty() {
        return (relyingParty ??= relyingPartyOf(config, request.origin));
      },
      get checkNewPassword() {
        return (checkNewPassword ??= passwordPolicyFor(config, fetcher, commonPasswords, log));
      },
      // A deferred task runs after the answer: its failure (a storage blip while clearing
      // counters, say) is logged by class, never left as an unhandled rejection.
      defer: (task) =>
        request.waitUntil(
          task().catch((error: unknown) =>
            log({ event: 'deferred.failed', error: classifyStorageError(error)?.kind ?? errorName(error) }),
          ),
        ),
      log,
    };
  };
}

/** The readiness probe of `/health/ready`: one cheap read from D1 and one from KV. */
export function createReadinessCheck(overrides: ServiceOverrides = {}) {
  return (env: Env) => checkReadiness(storageOf(env, overrides), { timeoutMs: READINESS_TIMEOUT_MS });
}

/** What the scheduled cleanup needs: where expired records live, the clock, the counter windows. */
export function createCleanupServices(env: Env, overrides: ServiceOverrides = {}) {
  const config = readConfig(env);
  return {
    records: createD1ExpiredRecordStore(env.DB),
    clock: overrides.clock ?? systemClock,
    counterFamilies: throttleCounterFamilies({ loginFailureWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS }),
  };
}

/** What the queue consumer and the outbox sweep need (src/events-queue.ts, src/scheduled.ts). */
export function createEventServices(env: Env, overrides: ServiceOverrides = {}) {
  const config = readConfig(env);
  const db = storageOf(env, overrides).db;
  return {
    events: createD1EventStore(db),
    webhooks: createD1WebhookStore(db),
    eventQueue: overrides.eventQueue ?? createQueueEventQueue(env.EVENTS_QUEUE),
    dataKeys: dataKeysFor(config),
    clock: overrides.clock ?? systemClock,
    fetch: fetcherOf(overrides),
  };
}
