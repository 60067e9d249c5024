// Response bodies of the identities API (src/http/routes/identities.ts).
import * as z from 'zod';

export const identitySchema = z.strictObject({
  id: z.string(),
  provider: z.string().meta({ description: 'The provider id of OAUTH_PROVIDERS.' }),
  providerName: z.string(),
  email: z.string().nullable().meta({ description: 'The address the provider gave when it was linked.' }),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});

export const identityListSchema = z.strictObject({
  identities: z.array(identitySchema),
  providers: z.array(z.strictObject({ id: z.string(), name: z.string() })),
});

export const linkStartSchema = z.strictObject({
  authorizationUrl: z.url().meta({
    description: "Open it in this browser: its answer set the cookie that ties the provider's callback to it.",
  }),
});
