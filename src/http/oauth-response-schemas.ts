// Response bodies of the OpenID Provider's JSON routes: the admin API's clients, the signed-in
// person's connected apps, and the discovery document.
import * as z from 'zod';

export const oauthClientSchema = z.strictObject({
  clientId: z.string(),
  name: z.string(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  public: z.boolean(),
  firstParty: z.boolean().meta({ description: 'First-party clients skip the consent page.' }),
  idTokenSignedResponseAlg: z.enum(['RS256', 'ES256']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const oauthClientCreatedSchema = oauthClientSchema.extend({
  clientSecret: z
    .string()
    .optional()
    .meta({ description: 'Confidential clients only. Shown once: only its digest is kept.' }),
});

export const oauthClientListSchema = z.strictObject({ clients: z.array(oauthClientSchema) });

export const oauthClientSecretSchema = z.strictObject({
  clientSecret: z.string().meta({ description: 'The new secret, shown once; the old one stopped working.' }),
});

export const connectedAppsSchema = z.strictObject({
  apps: z.array(
    z.strictObject({
      clientId: z.string(),
      name: z.string(),
      scopes: z.array(z.string()),
      grantedAt: z.iso.datetime(),
    }),
  ),
});

export const openIdConfigurationSchema = z.looseObject({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  userinfo_endpoint: z.url(),
  revocation_endpoint: z.url(),
  end_session_endpoint: z.url(),
  jwks_uri: z.url(),
  response_types_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  authorization_response_iss_parameter_supported: z.boolean(),
});

export const oauthTokenResponseSchema = z.strictObject({
  access_token: z.string().meta({ description: 'An ES256 JWT (`typ: at+jwt`, RFC 9068).' }),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string().meta({ description: 'Rotated on every use; a reused one revokes the grant.' }),
  id_token: z.string().optional().meta({ description: 'With the `openid` scope: RS256, or ES256 per client.' }),
  scope: z.string(),
});

export const oauthErrorSchema = z.strictObject({
  error: z.string().meta({ description: 'An OAuth 2.0 error code (RFC 6749 section 5.2, RFC 6750).' }),
  error_description: z.string().optional(),
});

export const userInfoSchema = z.looseObject({
  sub: z.string(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  preferred_username: z.string().optional(),
  name: z.string().optional(),
});
