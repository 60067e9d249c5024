// The admin API's client bodies (zod mini, strict objects). The redirect-URI rules themselves are
// the core's (src/core/oauth-server/clients.ts), so the API and the core cannot disagree.
import * as z from '../zod';

const uriList = (max: number) => z.array(z.string().check(z.minLength(1), z.maxLength(2048))).check(z.maxLength(max));
const name = z.string().check(z.trim(), z.minLength(1, 'is required'), z.maxLength(100));
const algorithm = z.enum(['RS256', 'ES256']);

export const newClientSchema = z.strictObject({
  name,
  redirectUris: uriList(20).check(z.minLength(1, 'must list at least one URI')),
  postLogoutRedirectUris: z.optional(uriList(20)),
  public: z.optional(z.boolean()),
  firstParty: z.optional(z.boolean()),
  idTokenSignedResponseAlg: z.optional(algorithm),
});

export const clientChangesSchema = z.strictObject({
  name: z.optional(name),
  redirectUris: z.optional(uriList(20).check(z.minLength(1, 'must list at least one URI'))),
  postLogoutRedirectUris: z.optional(uriList(20)),
  firstParty: z.optional(z.boolean()),
  idTokenSignedResponseAlg: z.optional(algorithm),
});

export const clientIdParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });
