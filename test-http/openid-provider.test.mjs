// Latchkey as an OpenID Provider, driven by openid-client (panva's OpenID Certified relying-party
// library) over HTTP: discovery, the code flow with PKCE and client_secret_basic / none, ID token
// and `iss` checks done by the library, UserInfo, refresh rotation, revocation, RP-initiated
// logout, and the refusals. The "browser" is fetch with the session cookies of a JSON sign-in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { URLSearchParams } from 'node:url';
import { baseUrl, newClient, password, verifiedAccount } from './support/client.mjs';
import { totpCode } from './support/totp.mjs';

const adminKey = process.env.LATCHKEY_ADMIN_KEY;

const redirectUri = 'http://localhost:9200/callback';

async function registerClient(body = {}) {
  const response = await fetch(`${baseUrl}/admin/oauth/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'openid-client test',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: ['http://localhost:9200/bye'],
      firstParty: true,
      ...body,
    }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** openid-client's configuration for a client, from Latchkey's discovery document. */
async function configure(registered) {
  const auth = registered.clientSecret ? oidc.ClientSecretBasic(registered.clientSecret) : oidc.None();
  return oidc.discovery(new URL(baseUrl), registered.clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** A browser signed in to Latchkey: the cookies its JSON sign-in set. */
async function signedInBrowser() {
  const client = newClient();
  const identity = await verifiedAccount(client);
  const response = await client.request('/auth/login', {
    json: { identifier: identity.username, password: identity.password },
  });
  assert.equal(response.status, 200);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return { identity, cookie, ip: client.ip };
}

/** Follows the authorization URL as the browser; answers where Latchkey sent it. */
async function visit(browser, url) {
  const response = await fetch(url, {
    redirect: 'manual',
    headers: { cookie: browser.cookie, 'cf-connecting-ip': browser.ip, accept: 'text/html' },
  });
  return response;
}

async function signInThroughClient(config, browser, extra = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  const answer = await visit(browser, url);
  assert.equal(answer.status, 302);
  const callback = new URL(answer.headers.get('location'));
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, callback, verifier };
}

/** Cookies of a browser as one header, updated from each answer's Set-Cookie. */
function cookieJar() {
  const cookies = new Map();
  return {
    take(response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        if (value === '' || /max-age=0/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    get header() {
      return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    },
  };
}

/** A page form post as a browser sends it: same origin, the page's CSRF field, the jar's cookies. */
async function postPage(jar, ip, path, fields, html) {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: jar.header,
      origin: baseUrl,
      'sec-fetch-site': 'same-origin',
      'cf-connecting-ip': ip,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ csrf, ...fields }),
  });
  jar.take(response);
  return response;
}

describe('OpenID Provider with openid-client', () => {
  it('discovers the provider, signs a person in with PKCE and client_secret_basic, and reads UserInfo', async () => {
    const registered = await registerClient();
    const config = await configure(registered);
    assert.equal(config.serverMetadata().issuer, baseUrl);
    const browser = await signedInBrowser();
    const { tokens, callback } = await signInThroughClient(config, browser);
    assert.equal(callback.searchParams.get('iss'), baseUrl);
    const claims = tokens.claims();
    assert.equal(claims.email, browser.identity.email);
    assert.equal(claims.preferred_username, browser.identity.username);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, browser.identity.email);
    assert.equal(info.email_verified, true);
  });

  it('serves a public client with PKCE and no secret, with an ES256 ID token', async () => {
    const registered = await registerClient({ public: true, idTokenSignedResponseAlg: 'ES256' });
    assert.equal(registered.clientSecret, undefined);
    const config = await configure(registered);
    const { tokens } = await signInThroughClient(config, await signedInBrowser());
    assert.equal(decodeProtectedHeader(tokens.id_token).alg, 'ES256');
  });

  it('rotates refresh tokens, refuses a reused one, and revokes', async () => {
    const config = await configure(await registerClient());
    const { tokens } = await signInThroughClient(config, await signedInBrowser());
    const next = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (error) => {
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    // The reuse revoked the grant: the new token is gone too.
    await assert.rejects(oidc.refreshTokenGrant(config, next.refresh_token), { error: 'invalid_grant' });

    const again = await signInThroughClient(config, await signedInBrowser());
    await oidc.tokenRevocation(config, again.tokens.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(config, again.tokens.refresh_token), { error: 'invalid_grant' });
  });

  it('refuses a replayed code, and the tokens issued from it stop', async () => {
    const config = await configure(await registerClient());
    const { tokens, callback, verifier } = await signInThroughClient(config, await signedInBrowser());
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: oidc.skipStateCheck }),
      { error: 'invalid_grant' },
    );
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck));
  });

  it('answers login_required to prompt=none without a session, with state and iss', async () => {
    const config = await configure(await registerClient());
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'abc',
      prompt: 'none',
    });
    const answer = await fetch(url, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location'));
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: 'x'.repeat(43), expectedState: 'abc' }),
      (error) => {
        assert.equal(error.error, 'login_required');
        return true;
      },
    );
  });

  it('shows a page instead of redirecting to an unregistered redirect_uri', async () => {
    const config = await configure(await registerClient());
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:9200/elsewhere',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const answer = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('location'), null);
  });

  it('refuses a wrong client secret', async () => {
    const registered = await registerClient();
    const config = await configure({ ...registered, clientSecret: 'not-the-secret' });
    const browser = await signedInBrowser();
    // RFC 6749 section 5.2: 401 with a Basic challenge, which openid-client reports as such.
    await assert.rejects(signInThroughClient(config, browser), (error) => {
      assert.equal(error.status, 401);
      assert.equal(error.cause[0].scheme, 'basic');
      return true;
    });
  });

  it('signs the browser out with RP-initiated logout and returns with state', async () => {
    const config = await configure(await registerClient());
    const browser = await signedInBrowser();
    const { tokens } = await signInThroughClient(config, browser);
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'http://localhost:9200/bye',
      state: 'bye-state',
    });
    const answer = await visit(browser, url);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), 'http://localhost:9200/bye?state=bye-state');
    const me = await fetch(`${baseUrl}/account`, {
      redirect: 'manual',
      headers: { cookie: browser.cookie, accept: 'text/html' },
    });
    assert.equal(me.status, 303);
  });

  it('sends a signed-out person with two-step sign-in through the sign-in pages and back, amr naming both factors', async () => {
    const config = await configure(await registerClient());
    const client = newClient();
    const identity = await verifiedAccount(client);
    const { accessToken } = await (
      await client.request('/auth/login', { json: { identifier: identity.username, password: identity.password } })
    ).json();
    const setup = await client.request('/auth/mfa/totp/setup', { token: accessToken, json: { password } });
    const { secret } = await setup.json();
    const confirm = await client.request('/auth/mfa/totp/confirm', {
      token: accessToken,
      json: { code: totpCode(secret) },
    });
    const { recoveryCodes } = await confirm.json();

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const jar = cookieJar();
    const first = await fetch(url, { redirect: 'manual', headers: { 'cf-connecting-ip': client.ip } });
    assert.equal(first.status, 303);
    const signInPage = await fetch(new URL(first.headers.get('location'), baseUrl), {
      headers: { 'cf-connecting-ip': client.ip },
    });
    jar.take(signInPage);
    const returnTo = new URL(first.headers.get('location'), baseUrl).searchParams.get('redirect_to');
    const second = await postPage(
      jar,
      client.ip,
      '/signin',
      { identifier: identity.username, password, redirect_to: returnTo },
      await signInPage.text(),
    );
    const secondPage = await second.text();
    const mfaToken = /name="mfaToken" value="([^"]+)"/.exec(secondPage)[1];
    const verified = await postPage(
      jar,
      client.ip,
      '/signin/verify',
      { mfaToken, code: recoveryCodes[0], redirect_to: returnTo },
      secondPage,
    );
    assert.equal(verified.status, 303);
    assert.equal(verified.headers.get('location'), returnTo);
    const back = await fetch(`${baseUrl}${returnTo}`, {
      redirect: 'manual',
      headers: { cookie: jar.header, 'cf-connecting-ip': client.ip },
    });
    assert.equal(back.status, 302);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.headers.get('location')), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.deepEqual(tokens.claims().amr.sort(), ['mfa', 'otp', 'pwd']);
  });
});
