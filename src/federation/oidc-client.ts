// A generic OpenID Connect provider on oauth4webapi: discovery (cached per isolate, retried after a
// failure), the authorization code flow with PKCE S256, state and nonce, the client authenticated
// as the discovery document allows (client_secret_basic first, the OIDC default), and the ID token
// checked for issuer, audience, nonce and times. Its signature is not checked again: it came
// straight from the token endpoint over TLS, authenticated by the client secret (OIDC Core
// 3.1.3.7, item 6). The address comes from the ID token, or else the UserInfo endpoint.
import * as oauth from 'oauth4webapi';
import type { Clock } from '../core/kit/clock';
import { AuthError } from '../core/kit/errors';
import type { OutsideCallbackResult, OutsideClaims, OutsideProvider } from '../core/identities/outside-provider';
import { type ProviderFailureOptions, failureOf, unreachable } from './failures';
import type { OidcProviderSetting } from './provider-settings';

export interface OidcProviderOptions {
  fetch: typeof fetch;
  clock: Clock;
  /** Apple: a fresh client secret (a signed JWT) for each exchange. */
  clientSecret?: () => Promise<string>;
  /** The token endpoint's authentication, when a preset knows it; else the discovery document decides. */
  tokenEndpointAuth?: 'client_secret_basic' | 'client_secret_post';
  /** Extra authorization parameters (Apple: response_mode=form_post). */
  authorizationParameters?: Record<string, string>;
  scope?: string;
}

export function claimsOf(source: Record<string, unknown>): Omit<OutsideClaims, 'subject'> {
  const email =
    typeof source.email === 'string' && source.email.includes('@') ? source.email.trim().toLowerCase() : null;
  // Apple sends email_verified as the string "true".
  const verified = source.email_verified === true || source.email_verified === 'true';
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
  return {
    email,
    emailVerified: email !== null && verified,
    preferredUsername: text(source.preferred_username) ?? text(source.nickname),
    name: text(source.name),
  };
}

export function createOidcProvider(setting: OidcProviderSetting, options: OidcProviderOptions): OutsideProvider {
  const issuer = new URL(setting.issuer);
  const requestOptions = {
    [oauth.customFetch]: options.fetch,
    [oauth.allowInsecureRequests]: setting.allowHttp,
  };
  let discovered: Promise<oauth.AuthorizationServer> | undefined;

  function server(): Promise<oauth.AuthorizationServer> {
    discovered ??= (async () => {
      const response = await oauth.discoveryRequest(issuer, { ...requestOptions, algorithm: 'oidc' });
      // Microsoft's multi-tenant documents name a `{tenantid}` issuer: each ID token's own is checked.
      if (setting.multiTenant) return (await response.json()) as oauth.AuthorizationServer;
      return oauth.processDiscoveryResponse(issuer, response);
    })();
    discovered.catch(() => {
      discovered = undefined;
    });
    return discovered;
  }

  const client = (): oauth.Client => ({
    client_id: setting.clientId,
    // The injected clock decides expiry and issue times, as everywhere else.
    [oauth.clockSkew]: Math.round((options.clock.now() - Date.now()) / 1000),
  });

  async function clientAuth(as: oauth.AuthorizationServer): Promise<oauth.ClientAuth> {
    const secret = options.clientSecret ? await options.clientSecret() : setting.clientSecret;
    const supported = as.token_endpoint_auth_methods_supported;
    const method =
      options.tokenEndpointAuth ??
      (!supported || supported.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post');
    return method === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  }

  const failure: ProviderFailureOptions = { provider: setting.id };

  return {
    id: setting.id,
    name: setting.name,

    async authorizationUrl(request) {
      let as: oauth.AuthorizationServer;
      try {
        as = await server();
      } catch (error) {
        throw unreachable(setting.name, error);
      }
      if (!as.authorization_endpoint)
        throw new AuthError('unavailable', `${setting.name} has no authorization endpoint.`);
      const url = new URL(as.authorization_endpoint);
      const parameters = {
        client_id: setting.clientId,
        redirect_uri: request.redirectUri,
        response_type: 'code',
        scope: options.scope ?? 'openid email profile',
        state: request.state,
        nonce: request.nonce,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
        ...options.authorizationParameters,
      };
      for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
      return url;
    },

    async complete(input): Promise<OutsideCallbackResult> {
      try {
        let as = await server();
        const parameters = oauth.validateAuthResponse(as, client(), input.callback, input.state);
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client(),
          await clientAuth(as),
          parameters,
          input.redirectUri,
          input.codeVerifier,
          requestOptions,
        );
        let tokenResponse = response;
        if (setting.multiTenant) ({ as, response: tokenResponse } = await withTenantIssuer(as, response));
        const tokens = await oauth.processAuthorizationCodeResponse(as, client(), tokenResponse, {
          expectedNonce: input.nonce,
          requireIdToken: true,
        });
        const idToken = oauth.getValidatedIdTokenClaims(tokens)!;
        let claims = claimsOf(idToken);
        if (!claims.email && as.userinfo_endpoint) {
          const info = await oauth.processUserInfoResponse(
            as,
            client(),
            idToken.sub,
            await oauth.userInfoRequest(as, client(), tokens.access_token, requestOptions),
          );
          claims = claimsOf(info);
        }
        return {
          ok: true,
          claims: { subject: idToken.sub, ...claims, name: claims.name ?? appleName(input.callback) },
        };
      } catch (error) {
        return failureOf(error, failure);
      }
    },
  };
}

/**
 * Apple puts the person's name in the callback's `user` field, on the first authorization only,
 * and never in the ID token. Only a display name is taken from it: it is not signed.
 */
function appleName(callback: URLSearchParams): string | null {
  try {
    const { name } = JSON.parse(callback.get('user') ?? '{}') as { name?: { firstName?: unknown; lastName?: unknown } };
    const parts = [name?.firstName, name?.lastName].filter((part): part is string => typeof part === 'string');
    return parts.join(' ').trim().slice(0, 100) || null;
  } catch {
    return null;
  }
}

/**
 * Microsoft's multi-tenant endpoints: the issuer is `https://login.microsoftonline.com/{tid}/v2.0`
 * with the token's own tenant id, so the expected issuer is made from the token's `tid`.
 */
async function withTenantIssuer(as: oauth.AuthorizationServer, response: Response) {
  const body = await response.text();
  let tid: unknown;
  try {
    const idToken = (JSON.parse(body) as { id_token?: string }).id_token ?? '';
    const payload = idToken.split('.')[1] ?? '';
    tid = (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { tid?: unknown }).tid;
  } catch {
    tid = undefined;
  }
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/.test(tid)) {
    throw new oauth.OperationProcessingError('the ID token has no tenant id');
  }
  const issuer = as.issuer.replace('{tenantid}', tid);
  return {
    as: { ...as, issuer },
    response: new Response(body, { status: response.status, headers: response.headers }),
  };
}
