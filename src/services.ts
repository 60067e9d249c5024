// The one place where Worker bindings become services. Handlers receive AccountServices, never
// raw bindings, so the core stays testable without HTTP and portable to other runtimes.
import { type AccessTokenIssuer, createAccessTokenIssuer } from './core/access-tokens';
import type { AccountServices, PasswordPolicyCheck } from './core/services';
import { type Clock, systemClock } from './core/clock';
import { createPwnedPasswordsChecker } from './core/breached-passwords';
import type { Mailer } from './core/mail';
import { type PasswordHasher, createPasswordHasher } from './core/password-hasher';
import { createPasswordPeppers } from './core/password-pepper';
import { checkPasswordPolicy } from './core/password-policy';
import { type Config, type Env, readConfig } from './config';
import { createConsoleMailer } from './mail/console-mailer';
import { createResendMailer } from './mail/resend-mailer';
import { createD1UserRepository } from './storage/d1-user-repository';
import { createD1SessionRepository } from './storage/d1-session-repository';
import { createD1ThrottleStore } from './storage/d1-throttle-store';
import { createKvEmailTokenStore } from './storage/kv-email-token-store';

/** What tests (and other hosts) may replace: time, outbound HTTP and the log sink. */
export interface ServiceOverrides {
  clock?: Clock;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export interface RequestContext {
  /** The request's own origin, used for links only in development when APP_URL is unset. */
  origin: string;
  /** A truncated hash of the client IP, for log lines; never the address itself. */
  clientIpHash: string;
  waitUntil(promise: Promise<unknown>): void;
}

// Importing a JWK costs a few hundred microseconds; do it once per isolate and key.
const issuers = new WeakMap<Config, AccessTokenIssuer>();

function accessTokenIssuerFor(config: Config): AccessTokenIssuer {
  let issuer = issuers.get(config);
  if (!issuer) {
    issuer = createAccessTokenIssuer({
      privateJwk: config.JWT_PRIVATE_JWK,
      previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_JWK,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    issuers.set(config, issuer);
  }
  return issuer;
}

function mailerFor(config: Config, env: Env, clock: Clock, fetcher: typeof fetch, log: (line: string) => void): Mailer {
  if (config.MAIL_PROVIDER === 'console') return createConsoleMailer(env.KV, () => clock.now(), log);
  // readConfig has already refused a resend setup without a key or sender.
  return createResendMailer({ apiKey: config.RESEND_API_KEY!, from: config.MAIL_FROM!, fetch: fetcher });
}

const hashers = new WeakMap<Config, PasswordHasher>();

function passwordHasherFor(config: Config): PasswordHasher {
  let hasher = hashers.get(config);
  if (!hasher) {
    const peppers = createPasswordPeppers({
      current: config.PASSWORD_PEPPER,
      version: config.PASSWORD_PEPPER_VERSION,
      previous: config.PASSWORD_PEPPER_PREVIOUS,
    });
    hasher = createPasswordHasher(peppers);
    hashers.set(config, hasher);
  }
  return hasher;
}

function passwordPolicyFor(config: Config, fetcher: typeof fetch, log: AccountServices['log']): PasswordPolicyCheck {
  const breached = config.PASSWORD_BREACH_CHECK === 'on' ? createPwnedPasswordsChecker({ fetch: fetcher, log: (event) => log({ event: 'pwned_passwords', ...event }) }) : null;
  return async (password, owner) => {
    const result = checkPasswordPolicy(password, owner, { minLength: config.PASSWORD_MIN_LENGTH });
    if (!result.ok) return result.message;
    if (breached && (await breached.isBreached(password))) {
      return 'This password has appeared in a known data breach. Choose another.';
    }
    return null;
  };
}

export function buildServices(env: Env, request: RequestContext, overrides: ServiceOverrides = {}): AccountServices {
  const config = readConfig(env);
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? ((line: string) => console.log(line));
  const fetcher = overrides.fetch ?? ((input, init) => fetch(input, init));
  const logEvent: AccountServices['log'] = (event) => log(JSON.stringify({ level: 'info', ...event, ip: request.clientIpHash }));
  return {
    users: createD1UserRepository(env.DB),
    sessions: createD1SessionRepository(env.DB),
    emailTokens: createKvEmailTokenStore(env.KV, clock),
    throttle: createD1ThrottleStore(env.DB),
    accessTokens: accessTokenIssuerFor(config),
    mailer: mailerFor(config, env, clock, fetcher, log),
    clock,
    settings: {
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      emailTokenTtlSeconds: config.EMAIL_TOKEN_TTL_SECONDS,
      refreshGraceSeconds: config.REFRESH_GRACE_SECONDS,
      loginThrottle: {
        maxFailures: config.LOGIN_MAX_FAILURES,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
        lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
      },
      mailQuota: { maxPerHour: config.MAIL_MAX_PER_HOUR },
      mail: {
        appName: config.APP_NAME,
        appUrl: config.APP_URL ?? request.origin,
        tokenTtlSeconds: config.EMAIL_TOKEN_TTL_SECONDS,
      },
    },
    passwords: passwordHasherFor(config),
    checkNewPassword: passwordPolicyFor(config, fetcher, logEvent),
    defer: (task) => request.waitUntil(task()),
    log: logEvent,
  };
}
