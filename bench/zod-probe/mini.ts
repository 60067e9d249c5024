// The same schemas as classic.ts, written with zod/mini.
import * as z from 'zod/mini';

const jwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().check(z.minLength(1)),
  d: z.string().check(z.minLength(1)),
});
const text = z.string().check(
  z.maxLength(64),
  z.refine((value) => !value.includes('\0'), 'no NUL'),
);
export const configSchema = z
  .object({
    ENVIRONMENT: z._default(z.enum(['development', 'production']), 'production'),
    APP_URL: z.pipe(
      z.pipe(
        z.optional(z.string().check(z.trim())),
        z.transform((value) => value || undefined),
      ),
      z.optional(z.url({ protocol: /^https?$/ })),
    ),
    JWT_PRIVATE_JWK: z.pipe(
      z.pipe(
        z.string(),
        z.transform((value) => JSON.parse(value) as unknown),
      ),
      jwk,
    ),
    JWT_PUBLIC_JWK: z.optional(z.omit(jwk, { d: true })),
    TTL: z._default(z.coerce.number().check(z.int(), z.minimum(60), z.maximum(86_400)), 600),
  })
  .check(
    z.superRefine((env, ctx) => {
      if (!env.APP_URL) ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required' });
    }),
  );
export const bodySchema = z.strictObject({
  username: text.check(z.regex(/^[a-z0-9_]+$/)),
  email: z.pipe(z.string().check(z.trim()), z.email().check(z.maxLength(254))),
  password: z.string().check(z.minLength(8), z.maxLength(128)),
});
