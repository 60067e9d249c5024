// The life of a grant: a code used once under concurrency, a replayed code revoking what it
// issued, refresh tokens rotating with reuse detection, revocation, the account's state stopping
// every refresh token, third-party consent and Connected apps, and RP-initiated logout.
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Harness } from '../support/oidc';
import { browserSignedIn, postForm, visit } from '../support/page-browser';
import {
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

const refresh = (harness: Harness, client: { clientId: string; clientSecret?: string }, token: string) =>
  tokenRequest(harness, { grant_type: 'refresh_token', refresh_token: token }, client);

const userInfoEmail = async (harness: Harness, accessToken: string) =>
  ((await (await harness.request('/oauth2/userinfo', { token: accessToken })).json()) as { email?: string }).email;

const userInfoStatus = async (harness: Harness, accessToken: string) =>
  (await harness.request('/oauth2/userinfo', { token: accessToken })).status;
/** The `sub` UserInfo names for the token: the account's id, for the admin API. */
const userInfoSubject = async (harness: Harness, accessToken: string) =>
  ((await (await harness.request('/oauth2/userinfo', { token: accessToken })).json()) as { sub: string }).sub;

describe('codes', () => {
  it('redeems a code once of ten parallel requests, and the replays revoke what it issued', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { verifier, challenge } = await pkcePair();
    const code = callbackParams(await authorize(harness, jar, authorizeQuery(client.clientId, challenge))).get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
    const answers = await Promise.all(Array.from({ length: 10 }, () => tokenRequest(harness, form, client)));
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) {
      expect(await loser.json()).toMatchObject({ error: 'invalid_grant' });
    }
    const tokens = (await winners[0]!.json()) as { refresh_token: string; access_token: string };
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);
  });

  it('answers a replayed code with invalid_grant and stops the tokens issued from it', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { code, verifier, tokens } = await codeFlow(harness, jar, client);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(200);
    const replay = await tokenRequest(
      harness,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      client,
    );
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
  });
});

describe('refresh tokens', () => {
  it('rotates on every use, and a reused one revokes the grant', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const first = await refresh(harness, client, tokens.refresh_token);
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { refresh_token: string; id_token: string };
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.id_token).toBeTruthy();

    const reuse = await refresh(harness, client, tokens.refresh_token);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(harness, client, rotated.refresh_token)).status).toBe(400);
  });

  it('gives one of parallel refreshes with the same token a new pair', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(harness, client, tokens.refresh_token)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
  });

  it('stops every refresh token of a disabled account, and after a password reset', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const subject = await userInfoSubject(harness, tokens.access_token);
    await harness.request(`/admin/users/${subject}/disable`, { method: 'POST', token: ADMIN_KEY });
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);

    await harness.request(`/admin/users/${subject}/enable`, { method: 'POST', token: ADMIN_KEY });
    const again = await browserSignedIn(harness);
    const second = await codeFlow(harness, again.jar, client);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: again.identity.email } });
    const mail = (await harness.mailbox()).find(
      (message) => message.to === again.identity.email && /reset/i.test(message.text),
    );
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    const reset = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'another horse battery staple' },
    });
    expect(reset.status).toBe(200);
    expect((await refresh(harness, client, second.tokens.refresh_token)).status).toBe(400);
  });

  it('stops the refresh tokens of a deleted account', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const subject = await userInfoSubject(harness, tokens.access_token);
    expect((await harness.request(`/admin/users/${subject}`, { method: 'DELETE', token: ADMIN_KEY })).status).toBe(204);
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);
  });

  it('revokes the grant of a revoked refresh token (RFC 7009), and answers 200 for an unknown token', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness);
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const revoke = (token: string) =>
      harness.request('/oauth2/revoke', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`,
        },
        body: new URLSearchParams({ token }).toString(),
      });
    expect((await revoke(tokens.refresh_token)).status).toBe(200);
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);
    expect((await revoke('not-a-token')).status).toBe(200);
  });
});

describe('consent', () => {
  it('asks a third-party client consent; deny answers access_denied, allow a code, and it is remembered', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { name: 'Photo Printer', firstParty: false });
    const { jar } = await browserSignedIn(harness);
    const { challenge } = await pkcePair();
    const query = authorizeQuery(client.clientId, challenge);

    const none = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { prompt: 'none' }));
    expect(callbackParams(none).get('error')).toBe('consent_required');

    const page = await authorize(harness, jar, query);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Allow Photo Printer to use your account?');
    expect(html).toContain('See your email address');
    const fields = Object.fromEntries(query);

    const denied = await postForm(harness, jar, '/oauth2/consent', { ...fields, decision: 'deny' });
    const deniedTarget = new URL(/url=(.*)$/.exec(denied.headers.get('refresh')!)![1]!);
    expect(deniedTarget.searchParams.get('error')).toBe('access_denied');
    expect(deniedTarget.searchParams.get('state')).toBe('state-123');

    const allowed = await postForm(harness, jar, '/oauth2/consent', { ...fields, decision: 'allow' });
    const allowedTarget = new URL(/url=(.*)$/.exec(allowed.headers.get('refresh')!)![1]!);
    expect(allowedTarget.searchParams.get('code')).toBeTruthy();

    expect(callbackParams(await authorize(harness, jar, query)).get('code')).toBeTruthy();
    // prompt=consent asks again.
    const again = await authorize(harness, jar, authorizeQuery(client.clientId, challenge, { prompt: 'consent' }));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Allow Photo Printer');
  });

  it('refuses a consent form posted from another site', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { firstParty: false });
    const { jar } = await browserSignedIn(harness);
    const { challenge } = await pkcePair();
    const response = await harness.request('/oauth2/consent', {
      method: 'POST',
      headers: {
        cookie: jar.header(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: new URLSearchParams({
        ...Object.fromEntries(authorizeQuery(client.clientId, challenge)),
        decision: 'allow',
      }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('connected apps', () => {
  it('lists an app on /account and disconnecting it there stops its refresh tokens', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { name: 'Recipe Box' });
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const account = await (await visit(harness, jar, '/account')).text();
    expect(account).toContain('Connected apps');
    expect(account).toContain('Recipe Box');
    const disconnected = await postForm(harness, jar, '/oauth2/disconnect', { client_id: client.clientId });
    expect(disconnected.status).toBe(303);
    const after = await (await visit(harness, jar, '/account')).text();
    expect(after).not.toContain('Disconnect Recipe Box');
    // The activity card tells what happened.
    expect(after).toContain('Recipe Box disconnected');
    expect((await refresh(harness, client, tokens.refresh_token)).status).toBe(400);
  });

  it('lists and disconnects apps through the API', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { name: 'Recipe Box' });
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client, { scope: 'openid email' });
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: (await userInfoEmail(harness, tokens.access_token))!, password: 'correct horse battery' },
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const list = await harness.request('/auth/connected-apps', { token: accessToken });
    expect(await list.json()).toMatchObject({
      apps: [{ clientId: client.clientId, name: 'Recipe Box', scopes: ['openid', 'email'] }],
    });
    const path = `/auth/connected-apps/${client.clientId}`;
    expect((await harness.request(path, { method: 'DELETE', token: accessToken })).status).toBe(204);
    expect((await harness.request(path, { method: 'DELETE', token: accessToken })).status).toBe(404);
    expect(await userInfoStatus(harness, tokens.access_token)).toBe(401);
    // The activity trail (and webhooks) got consent.granted and one consent.revoked.
    const activity = await harness.request('/auth/activity', { token: accessToken });
    const { activity: entries } = (await activity.json()) as {
      activity: Array<{ type: string; details: Record<string, unknown> }>;
    };
    const consentEvents = entries.filter((entry) => entry.type.startsWith('consent.'));
    expect(consentEvents.map((entry) => entry.type).sort()).toEqual(['consent.granted', 'consent.revoked']);
    expect(consentEvents[0]!.details).toMatchObject({ clientId: client.clientId, clientName: 'Recipe Box' });
  });
});

describe('RP-initiated logout', () => {
  it('ends the browser session for a valid id_token_hint and returns to the registered URI with state', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { postLogoutRedirectUris: ['https://rp.example/bye'] });
    const { jar } = await browserSignedIn(harness);
    const { tokens } = await codeFlow(harness, jar, client);
    const query = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'https://rp.example/bye',
      state: 'xyz',
    });
    const response = await visit(harness, jar, `/oauth2/logout?${query.toString()}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://rp.example/bye?state=xyz');
    const account = await visit(harness, jar, '/account');
    expect(account.headers.get('location')).toMatch(/^\/signin/);
  });

  it('refuses an unregistered post_logout_redirect_uri with a page, and asks without a hint', async () => {
    const harness = oidcHarness();
    const client = await registerClient(harness, { postLogoutRedirectUris: ['https://rp.example/bye'] });
    const { jar } = await browserSignedIn(harness);
    const bad = await visit(
      harness,
      jar,
      `/oauth2/logout?client_id=${client.clientId}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    const ask = await visit(harness, jar, '/oauth2/logout');
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('Sign out?');
    expect((await visit(harness, jar, '/account')).status).toBe(200);
  });
});
