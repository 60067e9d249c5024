// The OpenID Provider's back-channel endpoints: token (RFC 6749 section 3.2), UserInfo (OpenID
// Connect Core 5.3) and revocation (RFC 7009). They answer in OAuth's own error format
// (`{ error, error_description }`), which every OAuth client library reads, not problem+json.
// Tokens are never read from a URL (RFC 9700 section 4.3): only the Authorization header or a
// form body. The browser endpoints (authorize, logout) are pages: src/pages/oauth2-authorize.tsx.
// No per-address limit here: a relying party's server makes every token request of its users from
// one address, and every secret these endpoints take (client secrets, codes, refresh tokens) is
// 256 random bits, which no rate of guessing reaches.
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { authenticateClient } from '../../core/oauth-server/clients';
import { revokeToken, userInfo } from '../../core/oauth-server/grant-access';
import type { OAuthClient } from '../../core/oauth-server/oauth-client-store';
import {
  type TokenDeps,
  exchangeAuthorizationCode,
  exchangeRefreshToken,
} from '../../core/oauth-server/token-exchange';
import type { AppEnv } from '../../web/context';
import { openIdIssuer, requireOpenIdKeys } from '../../web/openid-provider';

type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'unsupported_token_type';

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthError(
  c: Context<AppEnv>,
  error: OAuthError,
  description: string,
  status: ContentfulStatusCode = 400,
  headers: Record<string, string> = {},
) {
  return c.json({ error, error_description: description }, status, { ...noStore, ...headers });
}

/** The form body of a token, revocation or UserInfo POST; null when it is not a form. */
async function formOf(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  const form = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
  const fields: Record<string, string> = {};
  for (const [name, value] of form) {
    // RFC 6749 section 3.2: parameters must not be repeated.
    if (name in fields) return null;
    fields[name] = value;
  }
  return fields;
}

const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));

/** The id and secret of Basic credentials, or null when they do not decode. */
function decodeBasic(encoded: string): { id: string; secret: string } | null {
  try {
    const decoded = atob(encoded);
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

type ClientAuth = { client: OAuthClient } | { refused: Response };

/**
 * Client authentication: `client_secret_basic`, `client_secret_post`, or `none` for a public
 * client (RFC 6749 section 2.3.1: the Basic credentials are form-encoded before base64).
 */
async function authenticate(c: Context<AppEnv>, form: Record<string, string>): Promise<ClientAuth> {
  const header = c.req.header('authorization');
  let clientId = form.client_id;
  let clientSecret = form.client_secret;
  if (header?.toLowerCase().startsWith('basic ')) {
    if (clientSecret !== undefined) {
      return { refused: oauthError(c, 'invalid_request', 'Use one client authentication method.') };
    }
    const basic = decodeBasic(header.slice(6).trim());
    if (!basic || (clientId !== undefined && clientId !== basic.id)) {
      return { refused: oauthError(c, 'invalid_client', 'The client credentials are not valid.', 401) };
    }
    clientId = basic.id;
    clientSecret = basic.secret;
  }
  const client =
    clientId && clientId.length <= 64 ? await authenticateClient(c.var.services, { clientId, clientSecret }) : null;
  if (!client) {
    const challenge: Record<string, string> = header ? { 'www-authenticate': 'Basic realm="oauth2"' } : {};
    return { refused: oauthError(c, 'invalid_client', 'The client credentials are not valid.', 401, challenge) };
  }
  return { client };
}

function tokenServices(c: Context<AppEnv>): TokenDeps {
  const services = c.var.services;
  return { ...services, openIdKeys: requireOpenIdKeys(c) };
}

const bearerPattern = /^Bearer +(\S+)$/i;

async function answerUserInfo(c: Context<AppEnv>, fromForm: string | undefined) {
  const header = c.req.header('authorization');
  const fromHeader = header ? bearerPattern.exec(header.trim())?.[1] : undefined;
  const token = fromHeader ?? fromForm;
  if (!token || (fromHeader && fromForm)) {
    return c.json({ error: 'invalid_request' }, 401, { ...noStore, 'www-authenticate': 'Bearer realm="userinfo"' });
  }
  const claims = await userInfo(tokenServices(c), token, openIdIssuer(c));
  if (!claims) {
    return c.json({ error: 'invalid_token' }, 401, {
      ...noStore,
      'www-authenticate': 'Bearer realm="userinfo", error="invalid_token"',
    });
  }
  return c.json(claims, 200, noStore);
}

export const oauth2Routes = new Hono<AppEnv>()
  .post('/token', async (c) => {
    const services = tokenServices(c);
    const form = await formOf(c);
    if (!form) return oauthError(c, 'invalid_request', 'Send the parameters once each, as a form.');
    const auth = await authenticate(c, form);
    if ('refused' in auth) return auth.refused;
    const issuer = openIdIssuer(c);
    let outcome;
    if (form.grant_type === 'authorization_code') {
      outcome = await exchangeAuthorizationCode(
        services,
        auth.client,
        { code: form.code, redirectUri: form.redirect_uri, codeVerifier: form.code_verifier },
        issuer,
      );
    } else if (form.grant_type === 'refresh_token') {
      outcome = await exchangeRefreshToken(services, auth.client, form.refresh_token, issuer);
    } else {
      return oauthError(c, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
    }
    if (!outcome.ok) return oauthError(c, outcome.error, outcome.description);
    return c.json(outcome.body, 200, noStore);
  })
  .get('/userinfo', (c) => answerUserInfo(c, undefined))
  .post('/userinfo', async (c) => {
    const form = (await formOf(c)) ?? {};
    return answerUserInfo(c, form.access_token);
  })
  .post('/revoke', async (c) => {
    const services = tokenServices(c);
    const form = await formOf(c);
    if (!form || !form.token) return oauthError(c, 'invalid_request', 'token is required, in a form.');
    const auth = await authenticate(c, form);
    if ('refused' in auth) return auth.refused;
    await revokeToken(services, auth.client, form.token, openIdIssuer(c));
    return c.body(null, 200, noStore);
  });
