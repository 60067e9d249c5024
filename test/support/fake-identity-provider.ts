// An OpenID Connect provider in a few functions, for the worker's outbound fetch: discovery, the
// token endpoint (checking the client's Basic authentication, PKCE S256 and the redirect URI) and
// UserInfo. A test plays the person at the provider with `approve`, which answers the callback
// path the browser would be sent to. Tokens are signed with a fresh RS256 key.
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

export interface PersonClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

interface IssuedCode {
  claims: PersonClaims;
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
}

export interface FakeIdentityProvider {
  issuer: string;
  /** The harness env naming this provider as `id`. */
  env(id: string): Record<string, string>;
  fetch(request: Request): Promise<Response>;
  /**
   * The person approves at the provider: answers the callback path and query the browser is sent
   * to. `idToken` changes the ID token's claims (to make one that must fail validation).
   */
  approve(authorizationUrl: string, claims: PersonClaims, idToken?: Record<string, unknown>): Promise<string>;
  /** The person (or the provider) refuses: the callback with `error=access_denied`. */
  deny(authorizationUrl: string): string;
  /** What the token endpoint was asked, in order. */
  tokenRequests: URLSearchParams[];
  /** Makes every later request fail as a network error would. */
  goDown(): void;
}

const sha256Base64Url = async (text: string) => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
};

export async function createFakeIdentityProvider(
  options: {
    issuer?: string;
    /** The `issuer` its discovery document names, when not `issuer` (Microsoft's `{tenantid}`). */
    discoveryIssuer?: string;
    clientId?: string;
    clientSecret?: string;
    omitEmailFromIdToken?: boolean;
    /** How the token endpoint authenticates the client: Basic (the default) or the form's fields. */
    clientAuth?: 'client_secret_basic' | 'client_secret_post';
  } = {},
): Promise<FakeIdentityProvider> {
  const issuer = options.issuer ?? 'https://idp.test';
  const clientId = options.clientId ?? 'latchkey-client';
  const clientSecret = options.clientSecret ?? 'client-secret-for-tests';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, IssuedCode & { idToken?: Record<string, unknown> }>();
  const accessTokens = new Map<string, PersonClaims>();
  const tokenRequests: URLSearchParams[] = [];
  let down = false;

  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  async function token(request: Request): Promise<Response> {
    const body = new URLSearchParams(await request.text());
    tokenRequests.push(body);
    // RFC 6749 section 2.3.1: the id and secret are form-encoded before Base64.
    const [id, secret] =
      options.clientAuth === 'client_secret_post'
        ? [body.get('client_id'), body.get('client_secret')]
        : atob((request.headers.get('authorization') ?? '').replace(/^Basic /, ''))
            .split(':')
            .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    if (id !== clientId || secret !== clientSecret) return json({ error: 'invalid_client' }, 401);
    const issued = codes.get(body.get('code') ?? '');
    codes.delete(body.get('code') ?? '');
    if (!issued) return json({ error: 'invalid_grant' }, 400);
    if (body.get('redirect_uri') !== issued.redirectUri) return json({ error: 'invalid_grant' }, 400);
    if ((await sha256Base64Url(body.get('code_verifier') ?? '')) !== issued.codeChallenge) {
      return json({ error: 'invalid_grant', error_description: 'PKCE' }, 400);
    }
    const now = Math.floor(Date.now() / 1000);
    const { email, email_verified, ...rest } = issued.claims;
    const idClaims = options.omitEmailFromIdToken ? rest : issued.claims;
    const idToken = await new SignJWT({ ...idClaims, nonce: issued.nonce, ...issued.idToken })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(String(issued.idToken?.iss ?? issuer))
      .setAudience(String(issued.idToken?.aud ?? clientId))
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const accessToken = crypto.randomUUID();
    accessTokens.set(accessToken, { ...rest, ...(email ? { email, email_verified } : {}) });
    return json({ access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }

  return {
    issuer,
    tokenRequests,
    env: (id) => ({
      OAUTH_PROVIDERS: id,
      [`OAUTH_${id.toUpperCase()}_CLIENT_ID`]: clientId,
      [`OAUTH_${id.toUpperCase()}_CLIENT_SECRET`]: clientSecret,
      [`OAUTH_${id.toUpperCase()}_ISSUER`]: issuer,
      [`OAUTH_${id.toUpperCase()}_NAME`]: 'Corp',
    }),
    goDown: () => {
      down = true;
    },
    async fetch(request) {
      if (down) throw new TypeError('fetch failed');
      const url = new URL(request.url);
      const base = new URL(issuer).pathname.replace(/\/$/, '');
      if (url.origin !== new URL(issuer).origin || !url.pathname.startsWith(base)) {
        return new Response('not here', { status: 404 });
      }
      switch (url.pathname.slice(base.length)) {
        case '/.well-known/openid-configuration':
          return json({
            issuer: options.discoveryIssuer ?? issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            userinfo_endpoint: `${issuer}/userinfo`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: [options.clientAuth ?? 'client_secret_basic'],
            code_challenge_methods_supported: ['S256'],
          });
        case '/jwks':
          return json({ keys: [jwk] });
        case '/token':
          return token(request);
        case '/userinfo': {
          const claims = accessTokens.get((request.headers.get('authorization') ?? '').replace(/^Bearer /, ''));
          return claims ? json(claims) : json({ error: 'invalid_token' }, 401);
        }
        default:
          return new Response('not here', { status: 404 });
      }
    },
    async approve(authorizationUrl, claims, idToken) {
      const url = new URL(authorizationUrl);
      const parameters = url.searchParams;
      if (parameters.get('client_id') !== clientId || parameters.get('code_challenge_method') !== 'S256') {
        throw new Error('the authorization request is not as expected');
      }
      const code = crypto.randomUUID();
      const redirectUri = parameters.get('redirect_uri')!;
      codes.set(code, {
        claims,
        nonce: parameters.get('nonce')!,
        codeChallenge: parameters.get('code_challenge')!,
        redirectUri,
        ...(idToken ? { idToken } : {}),
      });
      const callback = new URL(redirectUri);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', parameters.get('state')!);
      return `${callback.pathname}${callback.search}`;
    },
    deny(authorizationUrl) {
      const parameters = new URL(authorizationUrl).searchParams;
      const callback = new URL(parameters.get('redirect_uri')!);
      callback.searchParams.set('error', 'access_denied');
      callback.searchParams.set('state', parameters.get('state')!);
      return `${callback.pathname}${callback.search}`;
    },
  };
}
