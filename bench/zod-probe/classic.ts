// The zod features Latchkey uses (src/config.ts, src/http/schemas.ts), with the classic API.
// Bundled by bench/bundle.mjs next to mini.ts to price a switch to zod/mini.
import * as z from 'zod';

const jwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().min(1),
  d: z.string().min(1),
});
const text = z
  .string()
  .max(64)
  .refine((value) => !value.includes('\0'), 'no NUL');
export const configSchema = z
  .object({
    ENVIRONMENT: z.enum(['development', 'production']).default('production'),
    APP_URL: z
      .string()
      .trim()
      .optional()
      .transform((value) => value || undefined)
      .pipe(z.url({ protocol: /^https?$/ }).optional()),
    JWT_PRIVATE_JWK: z
      .string()
      .transform((value) => JSON.parse(value) as unknown)
      .pipe(jwk),
    JWT_PUBLIC_JWK: jwk.omit({ d: true }).optional(),
    TTL: z.coerce.number().int().min(60).max(86_400).default(600),
  })
  .superRefine((env, ctx) => {
    if (!env.APP_URL) ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required' });
  });
export const bodySchema = z.strictObject({
  username: text.regex(/^[a-z0-9_]+$/),
  email: z.string().trim().pipe(z.email().max(254)),
  password: z.string().min(8).max(128),
});
