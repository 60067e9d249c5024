// What the OpenID Provider tests share: an admin key to register clients, PKCE pairs, and the
// steps of the code flow as a browser (the page jar) and a client (form posts) make them.
import { bytesToBase64Url, sha256 } from '../../src/core/kit/encoding';
import { generateToken } from '../../src/core/kit/random-token';
import { type Harness, createHarness } from './harness';
import type { Jar } from './page-browser';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
export const ISSUER = 'https://latchkey.test';
export const REDIRECT_URI = 'https://rp.example/callback';

export function oidcHarness() {
  return createHarness({ env: { ADMIN_API_KEY: ADMIN_KEY } });
}

export interface RegisteredClient {
  clientId: string;
  clientSecret?: string;
}

export async function registerClient(harness: Harness, body: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const response = await harness.request('/admin/oauth/clients', {
    method: 'POST',
    token: ADMIN_KEY,
    json: { name: 'Example app', redirectUris: [REDIRECT_URI], firstParty: true, ...body },
  });
  if (response.status !== 201) throw new Error(`client registration answered ${response.status}`);
  return (await response.json()) as RegisteredClient;
}

export async function pkcePair() {
  const verifier = generateToken();
  return { verifier, challenge: bytesToBase64Url(await sha256(verifier)) };
}

/** An authorization request's query for the client, with PKCE, state and nonce. */
export function authorizeQuery(clientId: string, challenge: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

export async function authorize(harness: Harness, jar: Jar, query: URLSearchParams) {
  const response = await harness.request(`/oauth2/authorize?${query.toString()}`, {
    headers: { cookie: jar.header(), accept: 'text/html' },
  });
  jar.take(response);
  return response;
}

/** The parameters the authorization endpoint sent the browser back to the client with. */
export function callbackParams(response: Response): URLSearchParams {
  const location = response.headers.get('location');
  if (!location?.startsWith(REDIRECT_URI)) throw new Error(`no redirect to the client (${response.status})`);
  return new URL(location).searchParams;
}

export async function tokenRequest(
  harness: Harness,
  form: Record<string, string>,
  client?: { clientId: string; clientSecret?: string | undefined },
) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client?.clientSecret) headers.authorization = `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`;
  return harness.request('/oauth2/token', { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

export interface OAuthTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** A signed-in browser's code for the client, exchanged for tokens. */
export async function codeFlow(
  harness: Harness,
  jar: Jar,
  client: RegisteredClient,
  extra: Record<string, string> = {},
) {
  const { verifier, challenge } = await pkcePair();
  const code = callbackParams(await authorize(harness, jar, authorizeQuery(client.clientId, challenge, extra))).get(
    'code',
  )!;
  const response = await tokenRequest(
    harness,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    client,
  );
  if (response.status !== 200) throw new Error(`the token endpoint answered ${response.status}`);
  return { code, verifier, tokens: (await response.json()) as OAuthTokens };
}

export { type Harness };
