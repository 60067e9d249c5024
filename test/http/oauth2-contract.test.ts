// The OpenID Provider's JSON routes against the served OpenAPI document: every answer documented
// for its route and status, and its body matching the documented schema.
import { beforeAll, describe, expect, it } from 'vitest';
import { conformingRequests } from '../support/contract';
import { signedInUser } from '../support/harness';
import { browserSignedIn } from '../support/page-browser';
import { ADMIN_KEY, type Harness, codeFlow, oidcHarness } from '../support/oidc';

let harness: Harness;
let call: Awaited<ReturnType<typeof conformingRequests>>;

beforeAll(async () => {
  harness = oidcHarness();
  call = await conformingRequests(harness);
});

describe('the OpenID Provider routes conform to the OpenAPI document', () => {
  it('for discovery, the JWKS with both kinds of keys, and the admin client routes', async () => {
    expect((await call('GET', '/.well-known/openid-configuration')).status).toBe(200);
    expect((await call('GET', '/.well-known/jwks.json')).status).toBe(200);
    const created = await call('POST', '/admin/oauth/clients', {
      token: ADMIN_KEY,
      json: { name: 'Contract', redirectUris: ['https://rp.example/callback'] },
    });
    expect(created.status).toBe(201);
    const { clientId } = (await created.json()) as { clientId: string };
    expect((await call('GET', '/admin/oauth/clients', { token: ADMIN_KEY })).status).toBe(200);
    expect((await call('GET', `/admin/oauth/clients/${clientId}`, { token: ADMIN_KEY })).status).toBe(200);
    const patch = { token: ADMIN_KEY, json: { name: 'Renamed' } };
    expect((await call('PATCH', `/admin/oauth/clients/${clientId}`, patch)).status).toBe(200);
    expect((await call('POST', `/admin/oauth/clients/${clientId}/secret`, { token: ADMIN_KEY })).status).toBe(200);
    const bad = { token: ADMIN_KEY, json: { name: 'Bad', redirectUris: ['http://rp.example/'] } };
    expect((await call('POST', '/admin/oauth/clients', bad)).status).toBe(400);
    expect((await call('DELETE', `/admin/oauth/clients/${clientId}`, { token: ADMIN_KEY })).status).toBe(204);
    expect((await call('GET', `/admin/oauth/clients/${clientId}`, { token: ADMIN_KEY })).status).toBe(404);
  });

  it('for connected apps', async () => {
    const created = await harness.request('/admin/oauth/clients', {
      method: 'POST',
      token: ADMIN_KEY,
      json: { name: 'Contract', redirectUris: ['https://rp.example/callback'], firstParty: true },
    });
    const client = (await created.json()) as { clientId: string; clientSecret: string };
    const { jar, identity } = await browserSignedIn(harness);
    await codeFlow(harness, jar, client);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    expect((await call('GET', '/auth/connected-apps', { token: accessToken })).status).toBe(200);
    const path = `/auth/connected-apps/${client.clientId}`;
    expect((await call('DELETE', path, { token: accessToken })).status).toBe(204);
    expect((await call('DELETE', path, { token: accessToken })).status).toBe(404);
    const other = await signedInUser(harness);
    expect((await call('GET', '/auth/connected-apps', { token: other.tokens.accessToken })).status).toBe(200);
  });

  it('for the token endpoint, UserInfo and revocation', async () => {
    const created = await harness.request('/admin/oauth/clients', {
      method: 'POST',
      token: ADMIN_KEY,
      json: { name: 'Contract', redirectUris: ['https://rp.example/callback'], firstParty: true },
    });
    const client = (await created.json()) as { clientId: string; clientSecret: string };
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const form = (fields: Record<string, string>) => ({
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`,
      },
      body: new URLSearchParams(fields).toString(),
    });
    const refreshed = await call(
      'POST',
      '/oauth2/token',
      form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    );
    expect(refreshed.status).toBe(200);
    expect((await call('POST', '/oauth2/token', form({ grant_type: 'password' }))).status).toBe(400);
    expect((await call('GET', '/oauth2/userinfo', { token: tokens.access_token })).status).toBe(200);
    expect((await call('GET', '/oauth2/userinfo')).status).toBe(401);
    expect((await call('POST', '/oauth2/revoke', form({ token: tokens.access_token }))).status).toBe(200);
  });
});
