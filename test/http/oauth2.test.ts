// Latchkey as an OpenID Provider, through the worker: discovery and keys, the code flow with PKCE
// for a signed-in and a signed-out browser, the ID token's claims, UserInfo, and resuming the
// request after the sign-in page.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { browserSignedIn, postForm, visit } from '../support/page-browser';
import { Jar } from '../support/page-browser';
import { signedInUser } from '../support/harness';
import {
  ISSUER,
  REDIRECT_URI,
  authorize,
  authorizeQuery,
  callbackParams,
  codeFlow,
  oidcHarness,
  pkcePair,
  registerClient,
  tokenRequest,
} from '../support/oidc';

describe('discovery and keys', () => {
  it('describes the provider at /.well-known/openid-configuration with the request origin as issuer', async () => {
    const harness = oidcHarness();
    const response = await harness.request('/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth2/authorize`,
      token_endpoint: `${ISSUER}/oauth2/token`,
      userinfo_endpoint: `${ISSUER}/oauth2/userinfo`,
      end_session_endpoint: `${ISSUER}/oauth2/logout`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
  });

  it('publishes an RS256 key beside the ES256 access-token key, each with kid and alg', async () => {
    const harness = oidcHarness();
    const { keys } = (await (await harness.request('/.well-known/jwks.json')).json()) as {
      keys: Array<Record<string, string>>;
    };
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) expect(key.kid).toBeTruthy();
    expect(keys.find((key) => key.alg === 'RS256')).not.toHaveProperty('d');
  });
});

describe('the authorization code flow', () => {
  it('gives a signed-in browser a code with state and iss, and the code tokens with an RS256 ID token', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { identity, jar } = await browserSignedIn(harness);
    const { verifier, challenge } = await pkcePair();

    const answer = await authorize(harness, jar, authorizeQuery(client.clientId, challenge));
    expect(answer.status).toBe(302);
    const params = callbackParams(answer);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
    const code = params.get('code')!;

    const response = await tokenRequest(
      harness,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      client,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const tokens = (await response.json()) as Record<string, string>;
    expect(tokens.token_type).toBe('Bearer');

    const jwks = createLocalJWKSet(await (await harness.request('/.well-known/jwks.json')).json());
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: ISSUER, audience: client.clientId });
    expect(payload).toMatchObject({
      email: identity.email,
      email_verified: true,
      preferred_username: identity.username,
      nonce: 'nonce-456',
      amr: ['pwd'],
    });
    expect(typeof payload.auth_time).toBe('number');
    expect(Math.abs((payload.auth_time as number) - Math.floor(harness.clock.now() / 1000))).toBeLessThan(5);

    const access = await jwtVerify(tokens.access_token!, jwks, { issuer: ISSUER, typ: 'at+jwt' });
    expect(access.payload).toMatchObject({ sub: payload.sub, client_id: client.clientId });
  });

  it('signs ES256 ID tokens for a client that asks for them', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { idTokenSignedResponseAlg: 'ES256' });
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    expect(decodeProtectedHeader(tokens.id_token).alg).toBe('ES256');
  });

  it('answers UserInfo for the access token by GET and POST, with claims by scope', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { identity, jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client, { scope: 'openid email' });
    const byGet = await harness.request('/oauth2/userinfo', { token: tokens.access_token });
    expect(byGet.status).toBe(200);
    const claims = (await byGet.json()) as Record<string, unknown>;
    expect(claims).toMatchObject({ email: identity.email, email_verified: true });
    expect(claims).not.toHaveProperty('preferred_username');
    const byPost = await harness.request('/oauth2/userinfo', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect(await byPost.json()).toEqual(claims);
  });

  it('refuses UserInfo without a token or with a Latchkey session token, with a Bearer challenge', async () => {
    const harness = oidcHarness();
    const { tokens } = await signedInUser(harness);
    const none = await harness.request('/oauth2/userinfo');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const session = await harness.request('/oauth2/userinfo', { token: tokens.accessToken });
    expect(session.status).toBe(401);
    expect(session.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('sends a signed-out browser to the sign-in page, which brings it back to finish the request', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { identity } = await signedInUser(harness);
    const jar = new Jar();
    const { challenge } = await pkcePair();
    const first = await authorize(
      harness,
      jar,
      authorizeQuery(client.clientId, challenge, { login_hint: identity.email }),
    );
    expect(first.status).toBe(303);
    const signIn = new URL(first.headers.get('location')!, ISSUER);
    expect(signIn.pathname).toBe('/signin');
    expect(signIn.searchParams.get('login_hint')).toBe(identity.email);
    const returnTo = signIn.searchParams.get('redirect_to')!;
    expect(returnTo).toMatch(/^\/oauth2\/authorize\?/);

    const page = await visit(harness, jar, `${signIn.pathname}${signIn.search}`);
    // login_hint fills the identifier.
    expect(await page.text()).toContain(`value="${identity.email}"`);
    const signedIn = await postForm(harness, jar, '/signin', {
      identifier: identity.username,
      password: identity.password,
      redirect_to: returnTo,
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(returnTo);

    const back = await harness.request(returnTo, {
      headers: { cookie: jar.header(), accept: 'text/html', 'sec-fetch-site': 'same-origin' },
    });
    // After Latchkey's own form, the browser is handed on by a page (see deliver()).
    expect(back.status).toBe(200);
    const target = /url=(.*)$/.exec(back.headers.get('refresh') ?? '')![1]!;
    expect(new URL(target).searchParams.get('code')).toBeTruthy();
    expect(new URL(target).searchParams.get('iss')).toBe(ISSUER);
  });

  it('asks for a fresh sign-in with prompt=login and max_age, and answers prompt=none without a session', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { challenge } = await pkcePair();
    const login = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { prompt: 'login' }));
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toMatch(/^\/signin\?/);

    harness.clock.advance(120_000);
    const stale = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { max_age: '60' }));
    expect(stale.headers.get('location')).toMatch(/^\/signin\?/);
    const fresh = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { max_age: '600' }));
    expect(callbackParams(fresh).get('code')).toBeTruthy();

    const none = await authorize(harness, new Jar(), authorizeQuery(client.clientId, challenge, { prompt: 'none' }));
    const params = callbackParams(none);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ISSUER);
  });

  it('answers prompt=none for a signed-in person, and ignores unknown parameters and a missing nonce', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { verifier, challenge } = await pkcePair();
    const query = authorizeQuery(client.clientId, challenge, { prompt: 'none', display: 'popup', ui_locales: 'fr' });
    query.delete('nonce');
    query.set('x-unknown', 'whatever');
    const code = callbackParams(await authorize(harness, jar, query)).get('code')!;
    const response = await tokenRequest(
      harness,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      client,
    );
    const { id_token: idToken } = (await response.json()) as { id_token: string };
    const jwks = createLocalJWKSet(await (await harness.request('/.well-known/jwks.json')).json());
    const { payload } = await jwtVerify(idToken, jwks, { issuer: ISSUER, audience: client.clientId });
    expect(payload).not.toHaveProperty('nonce');
  });

  it('comes back from the sign-in asked by max_age=0 with a code instead of asking again', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { identity, jar } = await browserSignedIn(harness);
    const { challenge } = await pkcePair();
    harness.clock.advance(1_000);
    const first = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { max_age: '0' }));
    const returnTo = new URL(first.headers.get('location')!, ISSUER).searchParams.get('redirect_to')!;
    harness.clock.advance(1_000);
    await visit(harness, jar, '/signin');
    const signedIn = await postForm(harness, jar, '/signin', {
      identifier: identity.username,
      password: identity.password,
      redirect_to: returnTo,
    });
    expect(signedIn.headers.get('location')).toBe(returnTo);
    harness.clock.advance(1_000);
    const back = await harness.request(returnTo, { headers: { cookie: jar.header(), accept: 'text/html' } });
    expect(callbackParams(back).get('code')).toBeTruthy();
  });
});
