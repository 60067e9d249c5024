// Turns the Worker's bindings into validated settings, once per isolate. A missing or malformed
// secret fails closed: the request gets a generic 500 problem and the log gets one line naming
// the setting (never its value). There is no insecure fallback.
import * as z from './zod';
import { DATA_KEY_MAX_VERSION, createDataEncryptionKeys } from './core/kit/data-encryption';
import { PEPPER_MAX_VERSION, createPasswordPeppers } from './core/passwords/password-pepper';
import { type OutsideProviderSetting, readOutsideProviderSettings } from './federation/provider-settings';

export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  /** Revocation markers read by Workers that verify tokens on their own; optional. */
  REVOCATIONS?: KVNamespace;
  /** The static assets (public/, the static-data Worker of wrangler.assets.toml, bound as a service): the common-password list. */
  ASSETS?: Fetcher;
  ENVIRONMENT?: string;
  APP_NAME?: string;
  APP_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWT_PRIVATE_JWK?: string;
  JWT_PREVIOUS_PUBLIC_JWK?: string;
  JWT_NEXT_PUBLIC_JWK?: string;
  /** The OpenID Provider's RS256 ID-token key (docs/openid-provider.md); unset, the provider is off. */
  OIDC_RSA_PRIVATE_JWK?: string;
  OIDC_RSA_PREVIOUS_PUBLIC_JWK?: string;
  OIDC_RSA_NEXT_PUBLIC_JWK?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  SESSION_TTL_SECONDS?: string;
  SESSION_MAX_AGE_SECONDS?: string;
  EMAIL_TOKEN_TTL_SECONDS?: string;
  MAIL_PROVIDER?: string;
  MAIL_FROM?: string;
  RESEND_API_KEY?: string;
  CORS_ORIGINS?: string;
  PASSWORD_MIN_LENGTH?: string;
  REFRESH_GRACE_SECONDS?: string;
  LOGIN_MAX_FAILURES?: string;
  LOGIN_FAILURE_WINDOW_SECONDS?: string;
  LOGIN_LOCKOUT_SECONDS?: string;
  MAIL_MAX_PER_HOUR?: string;
  PASSWORD_BREACH_CHECK?: string;
  PASSWORD_PEPPER?: string;
  PASSWORD_PEPPER_VERSION?: string;
  PASSWORD_PEPPER_PREVIOUS?: string;
  DATA_ENCRYPTION_KEY?: string;
  DATA_ENCRYPTION_KEY_VERSION?: string;
  DATA_ENCRYPTION_KEY_PREVIOUS?: string;
  /** Per-client limits (Workers Rate Limiting bindings, `[[ratelimits]]` in wrangler.toml). */
  RATE_LIMIT_CREDENTIALS?: RateLimit;
  RATE_LIMIT_MAIL?: RateLimit;
  RETURN_URL_ALLOWLIST?: string;
  EMAIL_VERIFICATION?: string;
  EMAIL_SIGN_IN?: string;
  EMAIL_SIGN_UP?: string;
  /** Enables the admin API (src/http/routes/admin.ts); unset, every /admin/* route is 404. */
  ADMIN_API_KEY?: string;
  RATE_LIMIT_ADMIN?: RateLimit;
  SESSION_READS?: string;
  WEBAUTHN_RP_ID?: string;
  WEBAUTHN_ORIGINS?: string;
  /** Webhook deliveries (wrangler.toml [[queues.producers]]); events stay in the outbox without it. */
  EVENTS_QUEUE?: import('./storage/queue-event-queue').DeliveryQueueBinding;
  /** "off": no mail for a sign-in from a new browser or device. */
  NEW_DEVICE_NOTICE?: string;
  /**
   * Outside identity providers by id (`google,github,corp`); each reads OAUTH_<ID>_CLIENT_ID,
   * _CLIENT_SECRET and, for a generic one, _ISSUER and _NAME (src/federation/provider-settings.ts).
   */
  OAUTH_PROVIDERS?: string;
}

const ecPrivateJwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().check(z.minLength(1)),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
  d: z.string().check(z.minLength(1)),
});
const ecPublicJwk = z.omit(ecPrivateJwk, { d: true });
const rsaPublicJwk = z.looseObject({
  kty: z.literal('RSA'),
  kid: z.string().check(z.minLength(1)),
  n: z.string().check(z.minLength(342)),
  e: z.string().check(z.minLength(1)),
});
const rsaPrivateJwk = z.extend(rsaPublicJwk, { d: z.string().check(z.minLength(1)) });

const jsonText = <T extends z.core.$ZodType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'is not JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

/** A whole number given as text in [vars], with a default and bounds. */
const integerSetting = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback);

const nonEmpty = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const optionalText = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((value) => value || undefined),
);

const httpUrl = () => z.url({ protocol: /^https?$/ });

/** A comma-separated list of origins, each normalised to scheme://host[:port]. */
const originList = z.pipe(
  z.optional(z.string()),
  z.transform((value, ctx) => {
    const origins: string[] = [];
    const fail = (message: string) => ctx.issues.push({ code: 'custom', message, input: value });
    for (const item of (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      if (item === '*') {
        fail('must list origins; "*" is never allowed with credentials');
        continue;
      }
      try {
        origins.push(new URL(item).origin);
      } catch {
        fail('must be a comma-separated list of origins');
      }
    }
    return origins;
  }),
);

/** A Workers Rate Limiting binding; production refuses to serve without one (see below). */
const rateLimitBinding = z.optional(
  z.custom<RateLimit>(
    (value) => typeof (value as Partial<RateLimit> | null)?.limit === 'function',
    'is not a rate-limit binding',
  ),
);

/** A WebAuthn RP ID: a lowercase domain name. IP addresses are not valid RP IDs (WebAuthn §5.1.3). */
const rpIdSetting = z.string().check(
  z.refine(
    (value) => /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(value),
    'must be a lowercase domain name such as example.com',
  ),
  z.refine((value) => !/^[0-9.]+$/.test(value), 'must be a domain name, not an IP address'),
);

const isHttps = (url: string) => new URL(url).protocol === 'https:';

const settingsSchema = z
  .object({
    ENVIRONMENT: z._default(z.enum(['development', 'production']), 'production'),
    APP_NAME: z._default(z.string().check(z.trim(), z.minLength(1)), 'Latchkey'),
    APP_URL: z.pipe(optionalText, z.optional(httpUrl())),
    JWT_ISSUER: nonEmpty('latchkey'),
    JWT_AUDIENCE: nonEmpty('latchkey'),
    JWT_PRIVATE_JWK: jsonText(ecPrivateJwk),
    JWT_PREVIOUS_PUBLIC_JWK: z.pipe(optionalText, z.optional(jsonText(ecPublicJwk))),
    // Published in the JWKS before Latchkey signs with it: see "Rotating the signing key".
    JWT_NEXT_PUBLIC_JWK: z.pipe(optionalText, z.optional(jsonText(ecPublicJwk))),
    // The OpenID Provider's RS256 key (2048-bit RSA at least: n of 342+ base64url characters),
    // rotated like the access-token key: docs/openid-provider.md, "Keys".
    OIDC_RSA_PRIVATE_JWK: z.pipe(optionalText, z.optional(jsonText(rsaPrivateJwk))),
    OIDC_RSA_PREVIOUS_PUBLIC_JWK: z.pipe(optionalText, z.optional(jsonText(rsaPublicJwk))),
    OIDC_RSA_NEXT_PUBLIC_JWK: z.pipe(optionalText, z.optional(jsonText(rsaPublicJwk))),
    ACCESS_TOKEN_TTL_SECONDS: integerSetting(600, 60, 86_400),
    SESSION_TTL_SECONDS: integerSetting(30 * 86_400, 3_600, 400 * 86_400),
    // Absolute session lifetime from sign-in (ASVS 7.3.2); refreshes never extend past it.
    SESSION_MAX_AGE_SECONDS: integerSetting(90 * 86_400, 3_600, 400 * 86_400),
    // KV refuses an expirationTtl under 60 s; the token's own expiry is checked by the clock.
    EMAIL_TOKEN_TTL_SECONDS: integerSetting(600, 60, 7 * 86_400),
    MAIL_PROVIDER: z._default(z.enum(['resend', 'console']), 'resend'),
    MAIL_FROM: optionalText,
    RESEND_API_KEY: optionalText,
    CORS_ORIGINS: originList,
    // NIST SP 800-63B rev 4 asks 15 for password-only sign-in; 8 is its floor with a second factor.
    PASSWORD_MIN_LENGTH: integerSetting(8, 8, 128),
    // Unset: on in production, off in development (see the transform at the end).
    PASSWORD_BREACH_CHECK: z.pipe(optionalText, z.optional(z.enum(['on', 'off']))),
    PASSWORD_PEPPER: optionalText,
    PASSWORD_PEPPER_VERSION: integerSetting(1, 1, PEPPER_MAX_VERSION),
    PASSWORD_PEPPER_PREVIOUS: optionalText,
    // Encrypts TOTP secrets at rest (src/core/kit/data-encryption.ts); required in production.
    DATA_ENCRYPTION_KEY: optionalText,
    DATA_ENCRYPTION_KEY_VERSION: integerSetting(1, 1, DATA_KEY_MAX_VERSION),
    DATA_ENCRYPTION_KEY_PREVIOUS: optionalText,
    REFRESH_GRACE_SECONDS: integerSetting(30, 0, 300),
    LOGIN_MAX_FAILURES: integerSetting(10, 1, 1_000_000),
    LOGIN_FAILURE_WINDOW_SECONDS: integerSetting(15 * 60, 60, 86_400),
    LOGIN_LOCKOUT_SECONDS: integerSetting(15 * 60, 1, 86_400),
    MAIL_MAX_PER_HOUR: integerSetting(3, 1, 100),
    // Where the sign-in page may send a browser back to: origins or URL prefixes, comma-separated.
    // Empty means only same-origin relative paths. Checked here so a typo fails at once.
    RETURN_URL_ALLOWLIST: z.pipe(
      z.pipe(
        z._default(z.string(), ''),
        z.transform((text) =>
          text
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean),
        ),
      ),
      z.array(httpUrl()),
    ),
    RATE_LIMIT_CREDENTIALS: rateLimitBinding,
    RATE_LIMIT_MAIL: rateLimitBinding,
    RATE_LIMIT_ADMIN: rateLimitBinding,
    // `optional`: sign-up answers with a session and sign-in does not wait for the verified address.
    EMAIL_VERIFICATION: z._default(z.enum(['required', 'optional']), 'required'),
    // Sign-in by a mailed link and code (`off`: its routes answer 404), and whether it may create
    // a passwordless account for an unknown address that asks for one.
    EMAIL_SIGN_IN: z._default(z.enum(['on', 'off']), 'on'),
    NEW_DEVICE_NOTICE: z._default(z.enum(['on', 'off']), 'on'),
    EMAIL_SIGN_UP: z._default(z.enum(['on', 'off']), 'on'),
    // A secret: long enough that guessing it under the admin rate limit is hopeless.
    ADMIN_API_KEY: z.pipe(
      optionalText,
      z.optional(z.string().check(z.minLength(32, 'must be at least 32 characters'))),
    ),
    // Where the session checks of authenticated requests read: a nearby D1 replica (the primary
    // when read replication is off), or always the primary. README, "Global deployment".
    SESSION_READS: z._default(z.enum(['replica', 'primary']), 'replica'),
    // Passkeys: see src/relying-party.ts for the defaults.
    WEBAUTHN_RP_ID: z.pipe(optionalText, z.optional(rpIdSetting)),
    WEBAUTHN_ORIGINS: originList,
  })
  .check(
    z.superRefine((env, ctx) => {
      try {
        createPasswordPeppers({
          current: env.PASSWORD_PEPPER,
          version: env.PASSWORD_PEPPER_VERSION,
          previous: env.PASSWORD_PEPPER_PREVIOUS,
        });
      } catch (error) {
        // The message describes the rule broken, never the secret.
        ctx.addIssue({
          code: 'custom',
          path: ['PASSWORD_PEPPER'],
          message: error instanceof Error ? error.message : 'is invalid',
        });
      }
    }),
    z.superRefine((env, ctx) => {
      try {
        createDataEncryptionKeys({
          current: env.DATA_ENCRYPTION_KEY,
          version: env.DATA_ENCRYPTION_KEY_VERSION,
          previous: env.DATA_ENCRYPTION_KEY_PREVIOUS,
        });
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['DATA_ENCRYPTION_KEY'],
          message: error instanceof Error ? error.message : 'is invalid',
        });
      }
    }),
    z.superRefine((env, ctx) => {
      // Two different keys under one kid would leave verifiers to pick either. The same key in two
      // settings is fine: a rotation sets the secrets one at a time (README, "Rotating the signing key").
      const seen = new Map<string, { x: string; y: string }>();
      for (const name of ['JWT_PRIVATE_JWK', 'JWT_NEXT_PUBLIC_JWK', 'JWT_PREVIOUS_PUBLIC_JWK'] as const) {
        const jwk = env[name];
        if (!jwk) continue;
        const earlier = seen.get(jwk.kid);
        if (earlier && (earlier.x !== jwk.x || earlier.y !== jwk.y)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'reuses the kid of another key' });
        }
        seen.set(jwk.kid, earlier ?? jwk);
      }
    }),
    z.superRefine((env, ctx) => {
      if (env.SESSION_MAX_AGE_SECONDS < env.SESSION_TTL_SECONDS) {
        ctx.addIssue({
          code: 'custom',
          path: ['SESSION_MAX_AGE_SECONDS'],
          message: 'must be at least SESSION_TTL_SECONDS',
        });
      }
    }),
    z.superRefine((env, ctx) => {
      if (env.ENVIRONMENT !== 'production') return;
      if (!env.APP_URL) ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required in production' });
      // Always, not only once a user has TOTP on: a deployment must not discover a missing key
      // when its first user tries to set up two-step sign-in.
      if (!env.DATA_ENCRYPTION_KEY) {
        ctx.addIssue({ code: 'custom', path: ['DATA_ENCRYPTION_KEY'], message: 'is required in production' });
      }
      if (env.MAIL_PROVIDER !== 'resend') {
        ctx.addIssue({ code: 'custom', path: ['MAIL_PROVIDER'], message: 'must be resend in production' });
      }
      // Without its binding a per-client limit silently allows everything; production fails
      // closed instead (development and tests may run without one).
      for (const binding of ['RATE_LIMIT_CREDENTIALS', 'RATE_LIMIT_MAIL', 'RATE_LIMIT_ADMIN'] as const) {
        if (!env[binding]) ctx.addIssue({ code: 'custom', path: [binding], message: 'is required in production' });
      }
      // Plain http would send mail links, credentialed CORS and post-sign-in redirects where an
      // on-path attacker reads or rewrites them; development may use http://localhost.
      const plainHttp = (urls: readonly string[]) => urls.some((url) => !isHttps(url));
      if (env.APP_URL && plainHttp([env.APP_URL])) {
        ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'must be https in production' });
      }
      if (plainHttp(env.WEBAUTHN_ORIGINS)) {
        ctx.addIssue({
          code: 'custom',
          path: ['WEBAUTHN_ORIGINS'],
          message: 'must list only https origins in production',
        });
      }
      if (plainHttp(env.CORS_ORIGINS)) {
        ctx.addIssue({ code: 'custom', path: ['CORS_ORIGINS'], message: 'must list only https origins in production' });
      }
      if (plainHttp(env.RETURN_URL_ALLOWLIST)) {
        ctx.addIssue({
          code: 'custom',
          path: ['RETURN_URL_ALLOWLIST'],
          message: 'must list only https URLs in production',
        });
      }
    }),
    z.superRefine((env, ctx) => {
      if (env.MAIL_PROVIDER !== 'resend') return;
      if (!env.RESEND_API_KEY) ctx.addIssue({ code: 'custom', path: ['RESEND_API_KEY'], message: 'is required' });
      if (!env.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required' });
    }),
  );

const envSchema = z.pipe(
  settingsSchema,
  z.transform((env) => ({
    ...env,
    // Have I Been Pwned is on by default in production (ASVS 6.2.12); development makes no
    // outbound call unless asked to.
    PASSWORD_BREACH_CHECK: env.PASSWORD_BREACH_CHECK ?? (env.ENVIRONMENT === 'production' ? 'on' : 'off'),
  })),
);

export type Config = z.output<typeof envSchema> & {
  /** OAUTH_PROVIDERS with each provider's own settings, checked. */
  outsideProviders: OutsideProviderSetting[];
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const parsedConfigs = new WeakMap<object, Config>();

export function readConfig(env: Env): Config {
  const cached = parsedConfigs.get(env);
  if (cached) return cached;
  const result = envSchema.safeParse(env);
  // The providers' settings have names made from their ids, so they are read beside the schema.
  const providers = readOutsideProviderSettings(
    env as unknown as Record<string, unknown>,
    result.success ? result.data.ENVIRONMENT : 'production',
  );
  if (!result.success || !providers.ok) {
    // Names the settings and what is wrong, never the values.
    const problems = [
      ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)),
      ...(providers.ok ? [] : providers.problems),
    ];
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = { ...result.data, outsideProviders: providers.providers };
  parsedConfigs.set(env, config);
  return config;
}
