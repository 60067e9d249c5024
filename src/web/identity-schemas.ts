// The path parameters of the identities API (src/http/routes/identities.ts).
import * as z from '../zod';

export const identityIdParam = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not an identity id')),
});

export const providerParam = z.object({
  id: z.string().check(z.regex(/^[a-z][a-z0-9]{0,31}$/, 'is not a provider id')),
});
