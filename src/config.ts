// Turns the Worker's bindings into validated settings, once per isolate. A missing or malformed
// secret fails closed: the request gets a generic 500 problem and the log gets one line naming
// the setting (never its value). There is no insecure fallback.
import * as z from 'zod';

export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  ENVIRONMENT?: string;
  APP_NAME?: string;
  APP_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWT_PRIVATE_JWK?: string;
  JWT_PREVIOUS_PUBLIC_JWK?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  SESSION_TTL_SECONDS?: string;
  EMAIL_TOKEN_TTL_SECONDS?: string;
  MAIL_PROVIDER?: string;
  MAIL_FROM?: string;
  RESEND_API_KEY?: string;
}

const ecPrivateJwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().min(1),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
});
const ecPublicJwk = ecPrivateJwk.omit({ d: true });

const jsonText = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const seconds = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const optionalText = z.string().trim().optional().transform((value) => value || undefined);

const envSchema = z
  .object({
    ENVIRONMENT: z.enum(['development', 'production']).default('production'),
    APP_NAME: z.string().trim().min(1).default('Latchkey'),
    APP_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    JWT_ISSUER: z.string().min(1).default('latchkey'),
    JWT_AUDIENCE: z.string().min(1).default('latchkey'),
    JWT_PRIVATE_JWK: jsonText(ecPrivateJwk),
    JWT_PREVIOUS_PUBLIC_JWK: optionalText.pipe(jsonText(ecPublicJwk).optional()),
    ACCESS_TOKEN_TTL_SECONDS: seconds(600, 60, 86_400),
    SESSION_TTL_SECONDS: seconds(30 * 86_400, 3_600, 400 * 86_400),
    // KV refuses an expirationTtl under 60 s; the token's own expiry is checked by the clock.
    EMAIL_TOKEN_TTL_SECONDS: seconds(600, 60, 7 * 86_400),
    MAIL_PROVIDER: z.enum(['resend', 'console']).default('resend'),
    MAIL_FROM: optionalText,
    RESEND_API_KEY: optionalText,
  })
  .superRefine((env, ctx) => {
    if (env.ENVIRONMENT !== 'production') return;
    if (!env.APP_URL) ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required in production' });
    if (env.MAIL_PROVIDER !== 'resend') {
      ctx.addIssue({ code: 'custom', path: ['MAIL_PROVIDER'], message: 'must be resend in production' });
    }
  })
  .superRefine((env, ctx) => {
    if (env.MAIL_PROVIDER !== 'resend') return;
    if (!env.RESEND_API_KEY) ctx.addIssue({ code: 'custom', path: ['RESEND_API_KEY'], message: 'is required' });
    if (!env.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'is required' });
  });

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const parsedConfigs = new WeakMap<object, Config>();

export function readConfig(env: Env): Config {
  const cached = parsedConfigs.get(env);
  if (cached) return cached;
  const result = envSchema.safeParse(env);
  if (!result.success) {
    // Names the settings and what is wrong, never the values.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  parsedConfigs.set(env, result.data);
  return result.data;
}
