// Sign-in with a generic OpenID Connect provider through the worker, the provider played by an
// in-process fake on the worker's outbound fetch: sign-up, second visit, linking by verified
// email, the refusals, the one door (TOTP still asked, a disabled account refused), single use
// under parallel callbacks, and the identities API.
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { type Harness, createHarness, signedInUser, uniqueIdentity } from '../support/harness';
import { type FakeIdentityProvider, createFakeIdentityProvider } from '../support/fake-identity-provider';
import { createOutsideBrowser } from '../support/outside-browser';
import { turnOnTotp } from '../support/totp';

let idp: FakeIdentityProvider;
beforeAll(async () => {
  idp = await createFakeIdentityProvider();
});

function harnessWithProvider(extra: Record<string, string> = {}): Harness {
  return createHarness({
    env: { ...idp.env('corp'), ...extra } as Partial<Env>,
    fetch: (request) => idp.fetch(request),
  });
}

const ACCESS = '__Host-latchkey-access';

function person(prefix = 'outside') {
  const { username, email } = uniqueIdentity(prefix);
  return { sub: crypto.randomUUID(), email, email_verified: true, preferred_username: username };
}

async function me(harness: Harness, accessToken: string) {
  const response = await harness.request('/me', { token: accessToken });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; username: string; email: string; emailVerified: boolean };
}

describe('sign-in with an outside OpenID Connect provider', () => {
  it('creates a passwordless account on the first visit and signs in to it again on the second', async () => {
    const harness = harnessWithProvider();
    const claims = person();
    const browser = createOutsideBrowser(harness);
    const authorizationUrl = await browser.start('corp', '?redirect_to=%2Faccount%3Ftab%3D1');
    expect(authorizationUrl.startsWith(`${idp.issuer}/authorize?`)).toBe(true);
    const parameters = new URL(authorizationUrl).searchParams;
    expect(parameters.get('redirect_uri')).toBe('https://app.example/auth/oauth/corp/callback');
    expect(parameters.get('code_challenge_method')).toBe('S256');
    expect(parameters.get('nonce')).toBeTruthy();
    expect(browser.cookies.has('__Host-latchkey-oauth')).toBe(true);

    const callback = await browser.get(await idp.approve(authorizationUrl, claims));
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/account?tab=1');
    const first = await me(harness, browser.cookies.get(ACCESS)!);
    expect(first).toMatchObject({ username: claims.preferred_username, email: claims.email, emailVerified: true });
    expect(decodeJwt(browser.cookies.get(ACCESS)!).amr).toEqual(['fed']);
    // The client authenticated with client_secret_basic (the fake checks the header) and PKCE.
    expect(idp.tokenRequests.at(-1)!.get('code_verifier')).toBeTruthy();

    const again = createOutsideBrowser(harness);
    const second = await again.get(await idp.approve(await again.start('corp'), claims));
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe('/account');
    expect((await me(harness, again.cookies.get(ACCESS)!)).id).toBe(first.id);
  });

  it('links to the account that holds the same verified address', async () => {
    const harness = harnessWithProvider();
    const { identity, tokens } = await signedInUser(harness, 'linked');
    const browser = createOutsideBrowser(harness);
    const claims = { sub: crypto.randomUUID(), email: identity.email.toUpperCase(), email_verified: true };
    const callback = await browser.get(await idp.approve(await browser.start('corp'), claims));
    expect(callback.status).toBe(303);
    expect((await me(harness, browser.cookies.get(ACCESS)!)).id).toBe(tokens.user.id);
  });

  it('refuses an unverified address that an account holds, with a page and no session', async () => {
    const harness = harnessWithProvider();
    const { identity } = await signedInUser(harness, 'victim');
    const browser = createOutsideBrowser(harness);
    const claims = { sub: crypto.randomUUID(), email: identity.email, email_verified: false };
    const callback = await browser.get(await idp.approve(await browser.start('corp'), claims));
    expect(callback.status).toBe(409);
    expect(callback.headers.get('content-type')).toContain('text/html');
    expect(await callback.text()).toContain('Sign in another way, then connect Corp from your account page');
    expect(browser.cookies.has(ACCESS)).toBe(false);
  });

  it('refuses a verified address that the account holding it never verified (pre-hijacking)', async () => {
    const harness = harnessWithProvider();
    const squatter = uniqueIdentity('squatter');
    expect((await harness.request('/auth/register', { method: 'POST', json: squatter })).status).toBe(201);
    const browser = createOutsideBrowser(harness);
    const claims = { sub: crypto.randomUUID(), email: squatter.email, email_verified: true };
    const callback = await browser.get(await idp.approve(await browser.start('corp'), claims));
    expect(callback.status).toBe(409);
    expect(browser.cookies.has(ACCESS)).toBe(false);
  });

  it('refuses a forged state, and a callback from a browser that did not start it', async () => {
    const harness = harnessWithProvider();
    const browser = createOutsideBrowser(harness);
    const authorizationUrl = await browser.start('corp');
    const callbackPath = await idp.approve(authorizationUrl, person());
    const forged = callbackPath.replace(/state=[^&]+/, 'state=forged-state-value');
    const refused = await browser.get(forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('started in another browser');

    // The attacker's own callback, opened in the victim's browser (login CSRF): no verifier cookie.
    const victim = createOutsideBrowser(harness);
    const attacker = createOutsideBrowser(harness);
    const planted = await idp.approve(await attacker.start('corp'), person());
    const csrf = await victim.get(planted);
    expect(csrf.status).toBe(400);
    expect(victim.cookies.has(ACCESS)).toBe(false);
  });

  it('accepts a callback once: a replay is a page, and of parallel replays exactly one signs in', async () => {
    const harness = harnessWithProvider();
    const browser = createOutsideBrowser(harness);
    const callbackPath = await idp.approve(await browser.start('corp'), person());
    const cookie = `__Host-latchkey-oauth=${browser.cookies.get('__Host-latchkey-oauth')}`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => harness.request(callbackPath, { headers: { cookie } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400, 400, 400, 400]);
    const replay = await harness.request(callbackPath, { headers: { cookie } });
    expect(replay.status).toBe(400);
  });

  it('makes one account when the first sign-ins of one identity race', async () => {
    const harness = harnessWithProvider();
    const claims = person('race');
    const browsers = Array.from({ length: 4 }, () => createOutsideBrowser(harness));
    const paths = await Promise.all(browsers.map(async (browser) => idp.approve(await browser.start('corp'), claims)));
    const answers = await Promise.all(browsers.map((browser, index) => browser.get(paths[index]!)));
    expect(answers.map((answer) => answer.status)).toEqual([303, 303, 303, 303]);
    const ids = await Promise.all(
      browsers.map(async (browser) => (await me(harness, browser.cookies.get(ACCESS)!)).id),
    );
    expect(new Set(ids).size).toBe(1);
    const count = await env.DB.prepare('select count(*) as n from users where email = ?')
      .bind(claims.email)
      .first<{ n: number }>();
    expect(count!.n).toBe(1);
  });

  it('still asks for the second factor of an account with TOTP on', async () => {
    const harness = harnessWithProvider();
    const { identity, tokens } = await signedInUser(harness, 'twostep');
    await turnOnTotp(harness, tokens, identity.password);
    const browser = createOutsideBrowser(harness);
    const claims = { sub: crypto.randomUUID(), email: identity.email, email_verified: true };
    const callback = await browser.get(await idp.approve(await browser.start('corp'), claims));
    expect(callback.status).toBe(200);
    const page = await callback.text();
    expect(page).toContain('action="/signin/verify"');
    expect(page).toMatch(/name="mfaToken" value="[A-Za-z0-9_-]+"/);
    expect(browser.cookies.has(ACCESS)).toBe(false);
  });

  it('refuses a disabled account with a page', async () => {
    const harness = harnessWithProvider();
    const claims = person('disabled');
    const browser = createOutsideBrowser(harness);
    expect((await browser.get(await idp.approve(await browser.start('corp'), claims))).status).toBe(303);
    await env.DB.prepare('update users set disabled_at = ? where email = ?').bind(Date.now(), claims.email).run();
    const again = createOutsideBrowser(harness);
    const refused = await again.get(await idp.approve(await again.start('corp'), claims));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('This account has been disabled');
    expect(again.cookies.has(ACCESS)).toBe(false);
  });

  it('answers a page when the person cancels at the provider', async () => {
    const harness = harnessWithProvider();
    const browser = createOutsideBrowser(harness);
    const refused = await browser.get(idp.deny(await browser.start('corp')));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('The sign-in with Corp was cancelled');
  });

  it('refuses an ID token for another audience, or with another nonce', async () => {
    const harness = harnessWithProvider();
    for (const idToken of [{ aud: 'someone-else' }, { nonce: 'not-the-nonce' }, { iss: 'https://evil.test' }]) {
      const browser = createOutsideBrowser(harness);
      const refused = await browser.get(await idp.approve(await browser.start('corp'), person(), idToken));
      expect(refused.status).toBe(502);
      expect(await refused.text()).toContain('did not pass our checks');
      expect(browser.cookies.has(ACCESS)).toBe(false);
    }
  });

  it('authenticates with client_secret_post when the discovery document offers only that', async () => {
    const postOnly = await createFakeIdentityProvider({
      issuer: 'https://post.test',
      clientAuth: 'client_secret_post',
    });
    const harness = createHarness({
      env: postOnly.env('corp') as Partial<Env>,
      fetch: (request) => postOnly.fetch(request),
    });
    const browser = createOutsideBrowser(harness);
    expect((await browser.get(await postOnly.approve(await browser.start('corp'), person('post')))).status).toBe(303);
    expect(postOnly.tokenRequests.at(-1)!.get('client_secret')).toBe('client-secret-for-tests');
  });

  it('reads the address from UserInfo when the ID token has none', async () => {
    const quiet = await createFakeIdentityProvider({ issuer: 'https://quiet.test', omitEmailFromIdToken: true });
    const harness = createHarness({ env: quiet.env('corp') as Partial<Env>, fetch: (request) => quiet.fetch(request) });
    const browser = createOutsideBrowser(harness);
    const claims = person('userinfo');
    expect((await browser.get(await quiet.approve(await browser.start('corp'), claims))).status).toBe(303);
    expect((await me(harness, browser.cookies.get(ACCESS)!)).email).toBe(claims.email);
  });

  it('answers 503 pages while the provider is unreachable, and 404 for an unknown provider', async () => {
    const down = await createFakeIdentityProvider({ issuer: 'https://down.test' });
    const harness = createHarness({ env: down.env('corp') as Partial<Env>, fetch: (request) => down.fetch(request) });
    down.goDown();
    const browser = createOutsideBrowser(harness);
    const start = await browser.get('/auth/oauth/corp');
    expect(start.status).toBe(503);
    expect(start.headers.get('content-type')).toContain('text/html');
    const unknown = await browser.get('/auth/oauth/nobody', { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
  });

  it('answers a 503 page when the provider goes down between the redirect and the callback', async () => {
    const flaky = await createFakeIdentityProvider({ issuer: 'https://flaky.test' });
    const harness = createHarness({ env: flaky.env('corp') as Partial<Env>, fetch: (request) => flaky.fetch(request) });
    const browser = createOutsideBrowser(harness);
    const callbackPath = await flaky.approve(await browser.start('corp'), person('flaky'));
    flaky.goDown();
    const refused = await browser.get(callbackPath);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.text()).toContain('Corp cannot be reached right now');
  });

  it('refuses an identity without an address with a page', async () => {
    const harness = harnessWithProvider();
    const browser = createOutsideBrowser(harness);
    const refused = await browser.get(await idp.approve(await browser.start('corp'), { sub: crypto.randomUUID() }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('did not share an email address');
  });

  it('offers the provider on /signin and /register', async () => {
    const harness = harnessWithProvider();
    for (const path of ['/signin', '/register']) {
      const page = await (await harness.request(path)).text();
      expect(page).toContain('href="/auth/oauth/corp"');
      expect(page).toContain('Continue with Corp');
    }
  });
});

describe('the identities API', () => {
  async function signUpThroughProvider(harness: Harness, claims = person('api')) {
    const browser = createOutsideBrowser(harness);
    expect((await browser.get(await idp.approve(await browser.start('corp'), claims))).status).toBe(303);
    return { browser, claims, accessToken: browser.cookies.get(ACCESS)! };
  }

  it('lists the identities and refuses to unlink the last way in with 409', async () => {
    const harness = harnessWithProvider();
    const { accessToken, claims } = await signUpThroughProvider(harness);
    const listed = await harness.request('/auth/identities', { token: accessToken });
    expect(listed.status).toBe(200);
    const { identities } = (await listed.json()) as { identities: { id: string; provider: string; email: string }[] };
    expect(identities).toMatchObject([{ provider: 'corp', providerName: 'Corp', email: claims.email }]);
    const refused = await harness.request(`/auth/identities/${identities[0]!.id}`, {
      method: 'DELETE',
      token: accessToken,
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('conflict');
    const unknown = await harness.request('/auth/identities/not-mine', { method: 'DELETE', token: accessToken });
    expect(unknown.status).toBe(404);
  });

  it('unlinks an identity from an account with a password', async () => {
    const harness = harnessWithProvider();
    const { identity, tokens } = await signedInUser(harness, 'unlink');
    const browser = createOutsideBrowser(harness);
    await browser.get(
      await idp.approve(await browser.start('corp'), {
        sub: crypto.randomUUID(),
        email: identity.email,
        email_verified: true,
      }),
    );
    const { identities } = (await (
      await harness.request('/auth/identities', { token: tokens.accessToken })
    ).json()) as {
      identities: { id: string }[];
    };
    const removed = await harness.request(`/auth/identities/${identities[0]!.id}`, {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(removed.status).toBe(204);
    const after = (await (await harness.request('/auth/identities', { token: tokens.accessToken })).json()) as {
      identities: unknown[];
    };
    expect(after.identities).toEqual([]);
  });

  it('links another identity to the signed-in account, and never one that belongs to another account', async () => {
    const harness = harnessWithProvider();
    const { tokens } = await signedInUser(harness, 'linker');
    const start = await harness.request('/auth/identities/corp', { method: 'POST', token: tokens.accessToken });
    expect(start.status).toBe(200);
    const { authorizationUrl } = (await start.json()) as { authorizationUrl: string };
    const cookie = start.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-latchkey-oauth='))!
      .split(';')[0]!;
    const other = person('elsewhere');
    const linked = await harness.request(await idp.approve(authorizationUrl, other), { headers: { cookie } });
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toBe('/account?notice=identity-linked');
    const { identities } = (await (
      await harness.request('/auth/identities', { token: tokens.accessToken })
    ).json()) as {
      identities: { email: string }[];
    };
    expect(identities.map((entry) => entry.email)).toEqual([other.email]);

    // The same outside identity cannot be linked to a second account.
    const { tokens: second } = await signedInUser(harness, 'linker2');
    const again = await harness.request('/auth/identities/corp', { method: 'POST', token: second.accessToken });
    const url = ((await again.json()) as { authorizationUrl: string }).authorizationUrl;
    const secondCookie = again.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-latchkey-oauth='))!
      .split(';')[0]!;
    const taken = await harness.request(await idp.approve(url, other), { headers: { cookie: secondCookie } });
    expect(taken.status).toBe(409);
  });

  it('keeps one of the last two identities when both are unlinked in parallel', async () => {
    const second = await createFakeIdentityProvider({ issuer: 'https://second.test' });
    const harness = createHarness({
      env: {
        ...idp.env('corp'),
        ...second.env('other'),
        OAUTH_PROVIDERS: 'corp,other',
      } as Partial<Env>,
      fetch: (request) => (new URL(request.url).origin === second.issuer ? second.fetch(request) : idp.fetch(request)),
    });
    const { accessToken } = await signUpThroughProvider(harness);
    const start = await harness.request('/auth/identities/other', { method: 'POST', token: accessToken });
    const url = ((await start.json()) as { authorizationUrl: string }).authorizationUrl;
    const cookie = start.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-latchkey-oauth='))!
      .split(';')[0]!;
    expect((await harness.request(await second.approve(url, person('second')), { headers: { cookie } })).status).toBe(
      303,
    );
    const { identities } = (await (await harness.request('/auth/identities', { token: accessToken })).json()) as {
      identities: { id: string }[];
    };
    expect(identities).toHaveLength(2);
    const answers = await Promise.all(
      identities.map((entry) =>
        harness.request(`/auth/identities/${entry.id}`, { method: 'DELETE', token: accessToken }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 409]);
  });
});
