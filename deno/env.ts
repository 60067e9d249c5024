// Deno's bindings: the same Env the Worker gets, made from environment variables (the same names,
// validated by the same src/config.ts) and Deno's resources. The database is a D1 facade over
// SQLite (DATABASE_PATH, a local file) or a libSQL server (LIBSQL_URL, LIBSQL_AUTH_TOKEN); KV and
// the per-client limits live in Deno KV (KV_PATH locally; Deno Deploy's KV when deployed); the
// static assets (ASSETS) are the public/ folder.
import type { Env } from '../src/config.ts';
import { createStaticAssets } from './assets.ts';
import { createD1Facade } from './d1-facade.ts';
import { createKvNamespace } from './kv-namespace.ts';
import { openLibsqlEngine } from './libsql-engine.ts';
import { applyMigrations } from './migrations.ts';
import { createKvRateLimit, type RateLimitRule } from './rate-limit.ts';
import type { SqlEngine } from './sql-engine.ts';
import { openSqliteEngine } from './sqlite-engine.ts';
import { createKvDeliveryQueue } from './kv-event-queue.ts';

/** Settings read from the environment; the binding-like names (DB, KV, RATE_LIMIT_*) are not. */
const SETTING_NAMES = [
  'ENVIRONMENT',
  'APP_NAME',
  'APP_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_PRIVATE_JWK',
  'JWT_PREVIOUS_PUBLIC_JWK',
  'JWT_NEXT_PUBLIC_JWK',
  'OIDC_RSA_PRIVATE_JWK',
  'OIDC_RSA_PREVIOUS_PUBLIC_JWK',
  'OIDC_RSA_NEXT_PUBLIC_JWK',
  'ACCESS_TOKEN_TTL_SECONDS',
  'SESSION_TTL_SECONDS',
  'SESSION_MAX_AGE_SECONDS',
  'EMAIL_TOKEN_TTL_SECONDS',
  'MAIL_PROVIDER',
  'MAIL_FROM',
  'RESEND_API_KEY',
  'CORS_ORIGINS',
  'PASSWORD_MIN_LENGTH',
  'REFRESH_GRACE_SECONDS',
  'LOGIN_MAX_FAILURES',
  'LOGIN_FAILURE_WINDOW_SECONDS',
  'LOGIN_LOCKOUT_SECONDS',
  'MAIL_MAX_PER_HOUR',
  'PASSWORD_BREACH_CHECK',
  'PASSWORD_PEPPER',
  'PASSWORD_PEPPER_VERSION',
  'PASSWORD_PEPPER_PREVIOUS',
  'RETURN_URL_ALLOWLIST',
  'DATA_ENCRYPTION_KEY',
  'DATA_ENCRYPTION_KEY_VERSION',
  'DATA_ENCRYPTION_KEY_PREVIOUS',
  'EMAIL_VERIFICATION',
  'ADMIN_API_KEY',
  'SESSION_READS',
  'WEBAUTHN_RP_ID',
  'WEBAUTHN_ORIGINS',
  'NEW_DEVICE_NOTICE',
  'OAUTH_PROVIDERS',
] as const satisfies readonly (keyof Env)[];

/** Each listed outside provider's settings, whose names are made from its id (OAUTH_<ID>_*). */
const OUTSIDE_PROVIDER_SETTINGS = [
  'CLIENT_ID',
  'CLIENT_SECRET',
  'ISSUER',
  'NAME',
  'TENANT',
  'PRIVATE_KEY',
  'TEAM_ID',
  'KEY_ID',
];

function outsideProviderSettings(read: (name: string) => string | undefined): [string, string][] {
  const ids = (read('OAUTH_PROVIDERS') ?? '')
    .split(',')
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  return ids.flatMap((id) =>
    OUTSIDE_PROVIDER_SETTINGS.flatMap((setting): [string, string][] => {
      const value = read(`OAUTH_${id}_${setting}`);
      return value === undefined ? [] : [[`OAUTH_${id}_${setting}`, value]];
    }),
  );
}

/** Every [[ratelimits]] binding of wrangler.toml, with its limits, so both runtimes allow the same. */
export const RATE_LIMITS = {
  RATE_LIMIT_CREDENTIALS: { limit: 20, periodSeconds: 60 },
  RATE_LIMIT_MAIL: { limit: 5, periodSeconds: 60 },
  RATE_LIMIT_ADMIN: { limit: 60, periodSeconds: 60 },
} as const satisfies { [Name in keyof Env]?: RateLimitRule };

type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * A Deno KV counter for each of RATE_LIMITS, made from that one list so none is listed but left
 * unbound: production refuses to serve without every one (src/config.ts). RATE_LIMIT_MAIL counts
 * under "mail", and so on.
 */
function createRateLimits(kv: Deno.Kv): Record<RateLimitName, RateLimit> {
  const names = Object.keys(RATE_LIMITS) as RateLimitName[];
  return Object.fromEntries(
    names.map((name) => [
      name,
      createKvRateLimit(kv, name.slice('RATE_LIMIT_'.length).toLowerCase(), RATE_LIMITS[name]),
    ]),
  ) as Record<RateLimitName, RateLimit>;
}

export interface DenoResources {
  env: Env;
  /** The Deno KV store, whose queue carries webhook deliveries (kv-event-queue.ts). */
  kv: Deno.Kv;
  close(): void;
}

export async function openDatabase(read: (name: string) => string | undefined): Promise<SqlEngine> {
  const libsqlUrl = read('LIBSQL_URL');
  return libsqlUrl
    ? await openLibsqlEngine(libsqlUrl, read('LIBSQL_AUTH_TOKEN'))
    : openSqliteEngine(read('DATABASE_PATH') ?? 'latchkey.sqlite');
}

export async function openDenoEnv(read: (name: string) => string | undefined = Deno.env.get): Promise<DenoResources> {
  const engine = await openDatabase(read);
  await applyMigrations(engine, new URL('../migrations/', import.meta.url));
  // Deno Deploy gives every deployment its own KV when openKv() is called without a path.
  const kv = await Deno.openKv(read('KV_PATH'));
  const settings = Object.fromEntries([
    ...SETTING_NAMES.flatMap((name) => {
      const value = read(name);
      return value === undefined ? [] : [[name, value]];
    }),
    ...outsideProviderSettings(read),
  ]);
  const env: Env = {
    ...settings,
    DB: createD1Facade(engine),
    KV: createKvNamespace(kv, 'KV'),
    REVOCATIONS: createKvNamespace(kv, 'REVOCATIONS'),
    // The Worker's static assets (wrangler.assets.toml): the public/ folder of this checkout.
    ASSETS: createStaticAssets(new URL('../public/', import.meta.url)),
    ...createRateLimits(kv),
    // Webhook deliveries through Deno KV's queue; main.ts listens to it.
    EVENTS_QUEUE: createKvDeliveryQueue(kv),
  };
  return {
    env,
    kv,
    close() {
      kv.close();
      engine.close();
    },
  };
}
