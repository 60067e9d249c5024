// The OpenID Provider's part of the benchmark: a client registered through the admin API, and a
// refresh token from one code flow (a session cookie, /oauth2/authorize, the token endpoint), so
// the token-endpoint row can chain refresh_token grants as the /auth/refresh row chains its own.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { URL, URLSearchParams } from 'node:url';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmn';
const redirectUri = 'http://localhost:9/callback';

export async function registerBenchClient(url) {
  const response = await fetch(`${url}/admin/oauth/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', redirectUris: [redirectUri], firstParty: true }),
  });
  if (response.status !== 201) throw new Error(`client registration answered ${response.status}`);
  const { clientId, clientSecret } = await response.json();
  return { clientId, basic: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
}

/** A fresh refresh token of the client for the account: sign in, authorize, redeem the code. */
export async function oauthRefreshToken(url, login, client) {
  const signedIn = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  const cookie = signedIn.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const answer = await fetch(`${url}/oauth2/authorize?${query}`, { redirect: 'manual', headers: { cookie } });
  const code = new URL(answer.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`authorize answered ${answer.status} without a code`);
  const token = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: client.basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = await token.json();
  if (!body.refresh_token) throw new Error(`the token endpoint answered ${token.status}`);
  return body.refresh_token;
}
