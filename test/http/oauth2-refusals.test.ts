// What the OpenID Provider refuses: requests it must not redirect (an error page), errors it sends
// back to the client with state and iss, PKCE rules, and client authentication at the token endpoint.
import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness';
import { browserSignedIn } from '../support/page-browser';
import {
  ISSUER,
  REDIRECT_URI,
  authorize,
  authorizeQuery,
  callbackParams,
  oidcHarness,
  pkcePair,
  registerClient,
  tokenRequest,
} from '../support/oidc';

describe('turning the provider on', () => {
  it('answers 404 on every provider route while OIDC_RSA_PRIVATE_JWK is unset, and publishes no RSA key', async () => {
    const harness = createHarness({ env: { OIDC_RSA_PRIVATE_JWK: '' } });
    expect((await harness.request('/.well-known/openid-configuration')).status).toBe(404);
    const token = await harness.request('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    expect(token.status).toBe(404);
    const page = await harness.request('/oauth2/authorize?client_id=x', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const { keys } = (await (await harness.request('/.well-known/jwks.json')).json()) as { keys: { kty: string }[] };
    expect(keys.map((key) => key.kty)).toEqual(['EC']);
  });
});

describe('requests that are never redirected', () => {
  it('shows a 400 page, with no Location, for an unknown client or an unregistered redirect_uri', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { challenge } = await pkcePair();
    for (const query of [
      authorizeQuery('no-such-client', challenge),
      authorizeQuery(client.clientId, challenge, { redirect_uri: 'https://evil.example/callback' }),
      authorizeQuery(client.clientId, challenge, { redirect_uri: `${REDIRECT_URI}/more` }),
    ]) {
      const response = await authorize(harness, jar, query);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('Cannot sign in to this app');
    }
  });
});

describe('errors sent back to the client', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: '' }, 'invalid_request'],
    ['PKCE plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['no openid scope', { scope: 'email' }, 'invalid_scope'],
    ['prompt=none with login', { prompt: 'none login' }, 'invalid_request'],
    ['a request object', { request: 'eyJ.e30.' }, 'request_not_supported'],
  ];
  for (const [name, extra, error] of cases) {
    it(`answers ${error} for ${name}, with state and iss`, async () => {
      const harness = oidcHarness();
      const client = await registerClient(harness);
      const { jar } = await browserSignedIn(harness);
      const { challenge } = await pkcePair();
      const params = callbackParams(await authorize(harness, jar, authorizeQuery(client.clientId, challenge, extra)));
      expect(params.get('error')).toBe(error);
      expect(params.get('state')).toBe('state-123');
      expect(params.get('iss')).toBe(ISSUER);
      expect(params.get('code')).toBeNull();
    });
  }

  it('requires PKCE of a public client', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { public: true });
    expect(client.clientSecret).toBeUndefined();
    const { jar } = await browserSignedIn(harness);
    const query = authorizeQuery(client.clientId, 'unused');
    query.delete('code_challenge');
    query.delete('code_challenge_method');
    expect(callbackParams(await authorize(harness, jar, query)).get('error')).toBe('invalid_request');
  });
});

describe('the token endpoint', () => {
  async function codeFor(harness: ReturnType<typeof oidcHarness>, clientId: string) {
    const { jar } = await browserSignedIn(harness);
    const { verifier, challenge } = await pkcePair();
    const code = callbackParams(await authorize(harness, jar, authorizeQuery(clientId, challenge))).get('code')!;
    return { code, verifier };
  }

  it('refuses a wrong client secret with 401 invalid_client and a Basic challenge', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { code, verifier } = await codeFor(harness, client.clientId);
    const response = await tokenRequest(
      harness,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { clientId: client.clientId, clientSecret: 'wrong' },
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('accepts client_secret_post as well as client_secret_basic', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { code, verifier } = await codeFor(harness, client.clientId);
    const response = await tokenRequest(harness, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret!,
    });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong code_verifier, a different redirect_uri and another client with invalid_grant', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const other = await registerClient(harness);
    const { code, verifier } = await codeFor(harness, client.clientId);
    const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
    for (const [form, as] of [
      [{ ...base, code_verifier: (await pkcePair()).verifier }, client],
      [{ ...base, redirect_uri: 'https://rp.example/other' }, client],
      [base, other],
    ] as const) {
      const response = await tokenRequest(harness, form, as);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('refuses a code after its 60 seconds', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { code, verifier } = await codeFor(harness, client.clientId);
    harness.clock.advance(61_000);
    const response = await tokenRequest(
      harness,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      client,
    );
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers unsupported_grant_type and invalid_request in OAuth form, not problem+json', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const password = await tokenRequest(harness, { grant_type: 'password' }, client);
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await harness.request('/oauth2/token', { method: 'POST', json: { grant_type: 'refresh_token' } });
    expect(json.status).toBe(400);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });
});
