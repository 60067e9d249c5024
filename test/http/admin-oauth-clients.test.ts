// The admin API's OpenID Provider clients: redirect-URI rules, the secret shown once and rotated,
// changes, and deletion stopping what the client was issued.
import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness';
import { browserSignedIn } from '../support/page-browser';
import { ADMIN_KEY, codeFlow, oidcHarness, registerClient, tokenRequest } from '../support/oidc';

const admin = (harness: ReturnType<typeof oidcHarness>, method: string, path: string, json?: unknown) =>
  harness.request(`/admin/oauth/clients${path}`, { method, token: ADMIN_KEY, ...(json ? { json } : {}) });

describe('registering clients', () => {
  it('is 404 while ADMIN_API_KEY is unset', async () => {
    const harness = createHarness();
    expect((await harness.request('/admin/oauth/clients', { token: ADMIN_KEY })).status).toBe(404);
  });

  it('refuses redirect URIs that are not https (but loopback http), relative, or with a fragment', async () => {
    const harness = oidcHarness();
    const response = await admin(harness, 'POST', '', {
      name: 'Bad',
      redirectUris: [
        'http://rp.example/cb',
        '/relative',
        'https://rp.example/cb#frag',
        'https://user:pw@rp.example/cb',
        'http://localhost:3000/cb',
        'http://127.0.0.1/cb',
        'http://[::1]:8080/cb',
        'http://app.localhost/cb',
      ],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((issue) => issue.field)).toEqual([
      'redirectUris.0',
      'redirectUris.1',
      'redirectUris.2',
      'redirectUris.3',
    ]);
  });

  it('shows a confidential client secret once, never in reads, and a rotation stops the old one', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const read = (await (await admin(harness, 'GET', `/${client.clientId}`)).json()) as Record<string, unknown>;
    expect(read).toMatchObject({ clientId: client.clientId, public: false, idTokenSignedResponseAlg: 'RS256' });
    expect(JSON.stringify(read)).not.toContain(client.clientSecret);
    const list = (await (await admin(harness, 'GET', '')).json()) as { clients: Array<{ clientId: string }> };
    expect(list.clients.map((entry) => entry.clientId)).toContain(client.clientId);

    const rotated = (await (await admin(harness, 'POST', `/${client.clientId}/secret`)).json()) as {
      clientSecret: string;
    };
    const form = { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) };
    expect((await tokenRequest(harness, form, client)).status).toBe(401);
    expect((await tokenRequest(harness, form, { ...client, clientSecret: rotated.clientSecret })).status).toBe(400);
  });

  it('changes a client with PATCH and refuses unknown fields', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const changed = await admin(harness, 'PATCH', `/${client.clientId}`, { name: 'Renamed', firstParty: false });
    expect(await changed.json()).toMatchObject({ name: 'Renamed', firstParty: false });
    expect((await admin(harness, 'PATCH', `/${client.clientId}`, { public: true })).status).toBe(400);
    expect((await admin(harness, 'PATCH', '/no-such-client', { name: 'x' })).status).toBe(404);
  });

  it('deletes a client, and its refresh tokens stop working', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    expect((await admin(harness, 'DELETE', `/${client.clientId}`)).status).toBe(204);
    expect((await admin(harness, 'GET', `/${client.clientId}`)).status).toBe(404);
    const refresh = await tokenRequest(
      harness,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      client,
    );
    expect(refresh.status).toBe(401);
  });
});
