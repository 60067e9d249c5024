// What the OpenID Provider's API routes and pages share: its issuer identifier, and its keys or a
// 404 while it is off. The issuer is APP_URL in production; in development the request's origin,
// so `npm run dev` on any port and the tests' origins are their own issuers.
import { type Env, readConfig } from '../config';
import { AuthError } from '../core/kit/errors';
import { SUPPORTED_SCOPES } from '../core/oauth-server/authorization';
import type { OpenIdKeys } from '../core/oauth-server/signing-keys';
import type { AccountServices } from '../core/services';

/** What these helpers read of a request's context: the API's and the pages' both fit. */
interface ProviderContext {
  env: Env;
  req: { url: string };
  var: { services: AccountServices };
}

export function openIdIssuer(c: ProviderContext): string {
  const config = readConfig(c.env);
  if (config.ENVIRONMENT === 'production' && config.APP_URL) return new URL(config.APP_URL).origin;
  return new URL(c.req.url).origin;
}

/** The provider's keys; without OIDC_RSA_PRIVATE_JWK every OpenID Provider route is 404. */
export function requireOpenIdKeys(c: ProviderContext): OpenIdKeys {
  const keys = c.var.services.openIdKeys;
  if (!keys) throw new AuthError('not_found', 'No such route.');
  return keys;
}

/** The discovery document (OpenID Connect Discovery 1.0 section 3); 404 while the provider is off. */
export function openIdConfiguration(c: ProviderContext) {
  requireOpenIdKeys(c);
  const issuer = openIdIssuer(c);
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    scopes_supported: [...SUPPORTED_SCOPES],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'amr',
      'azp',
      'email',
      'email_verified',
      'preferred_username',
      'name',
    ],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
  };
}
