// Sign-in with an outside provider against a real one: panva's oidc-provider with its development
// login (test-http/support/upstream-idp.mjs, started by scripts/test-http.mjs as the provider
// `corp`), driven over HTTP on both runtimes: sign-up, sign-out and a second visit, linking by a
// verified address, refusal of an unverified one, a cancelled sign-in, a forged state, a replayed
// callback, and the second factor still asked.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { newClient, newIdentity, signIn, verifiedAccount } from './support/client.mjs';
import { signInAt } from './support/upstream-idp.mjs';
import { totpCode } from './support/totp.mjs';

const upstream = process.env.LATCHKEY_UPSTREAM_IDP;
const ACCESS = '__Host-latchkey-access';

/** A browser of its own: a client address and the cookies Latchkey set. */
function newBrowser() {
  const client = newClient();
  const jar = new Map();
  return {
    client,
    jar,
    async get(pathOrUrl) {
      const url = new URL(pathOrUrl, process.env.LATCHKEY_URL);
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      // Redirects are the browser's to follow: the first one leaves for the provider.
      const response = await fetch(`${process.env.LATCHKEY_URL}${url.pathname}${url.search}`, {
        headers: { 'cf-connecting-ip': client.ip, ...(cookie ? { cookie } : {}) },
        redirect: 'manual',
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const index = pair.indexOf('=');
        const [name, value] = [pair.slice(0, index), pair.slice(index + 1)];
        if (value === '' || attributes.some((attribute) => /max-age=0/i.test(attribute))) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    },
  };
}

/** GET /auth/oauth/corp, then the person signs in at the provider: answers Latchkey's callback URL. */
async function throughProvider(browser, login, options) {
  const start = await browser.get('/auth/oauth/corp');
  assert.equal(start.status, 303);
  const location = start.headers.get('location');
  assert.ok(location.startsWith(`${upstream}/auth?`), location);
  return signInAt(location, login, options);
}

async function me(browser) {
  const response = await browser.client.request('/me', { token: browser.jar.get(ACCESS) });
  assert.equal(response.status, 200);
  return response.json();
}

describe('sign-in with an outside OpenID Connect provider', { skip: !upstream && 'no upstream provider' }, () => {
  it('signs a new person up, and signs them in again after they sign out', async () => {
    const { username } = newIdentity();
    const login = `${username}@people.example`;
    const browser = newBrowser();
    const callback = await browser.get(await throughProvider(browser, login));
    assert.equal(callback.status, 303);
    assert.equal(callback.headers.get('location'), '/account');
    const first = await me(browser);
    assert.equal(first.email, login);
    assert.equal(first.emailVerified, true);
    assert.equal(first.username, username);

    const signedOut = await browser.client.request('/auth/logout', { method: 'POST', token: browser.jar.get(ACCESS) });
    assert.equal(signedOut.status, 204);
    const again = newBrowser();
    assert.equal((await again.get(await throughProvider(again, login))).status, 303);
    assert.equal((await me(again)).id, first.id);
  });

  it('links to the account that holds the same verified address', async () => {
    const identity = await verifiedAccount(newClient());
    const browser = newBrowser();
    assert.equal((await browser.get(await throughProvider(browser, identity.email))).status, 303);
    assert.equal((await me(browser)).username, identity.username);
  });

  it('refuses an address the provider did not verify when an account holds it', async () => {
    const { username } = newIdentity();
    const email = `unverified.${username}@example.com`;
    const client = newClient();
    const registered = await client.request('/auth/register', {
      json: { username, email, password: 'correct horse battery staple' },
    });
    assert.equal(registered.status, 201);
    const browser = newBrowser();
    const refused = await browser.get(await throughProvider(browser, email));
    assert.equal(refused.status, 409);
    assert.match(refused.headers.get('content-type'), /text\/html/);
    assert.equal(browser.jar.has(ACCESS), false);
  });

  it('answers a page when the person cancels at the provider', async () => {
    const browser = newBrowser();
    const refused = await browser.get(await throughProvider(browser, 'nobody@people.example', { cancel: true }));
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /cancelled/);
  });

  it('refuses a forged state and a replayed callback', async () => {
    const browser = newBrowser();
    const callback = await throughProvider(browser, `${newIdentity().username}@people.example`);
    const forged = callback.replace(/state=[^&]+/, 'state=forged');
    assert.equal((await browser.get(forged)).status, 400);

    const other = newBrowser();
    const good = await throughProvider(other, `${newIdentity().username}@people.example`);
    const cookie = other.jar.get('__Host-latchkey-oauth');
    assert.equal((await other.get(good)).status, 303);
    // The same callback again, with the cookie the browser had: the state was taken.
    other.jar.set('__Host-latchkey-oauth', cookie);
    const replay = await other.get(good);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /already used/);
  });

  it('still asks for the second factor of an account with TOTP on', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const { accessToken } = await signIn(client, identity);
    const setup = await client.request('/auth/mfa/totp/setup', {
      token: accessToken,
      json: { password: identity.password },
    });
    const { secret } = await setup.json();
    const confirm = await client.request('/auth/mfa/totp/confirm', {
      token: accessToken,
      json: { code: totpCode(secret) },
    });
    const { recoveryCodes } = await confirm.json();

    const browser = newBrowser();
    const page = await browser.get(await throughProvider(browser, identity.email));
    assert.equal(page.status, 200);
    assert.equal(browser.jar.has(ACCESS), false);
    const mfaToken = /name="mfaToken" value="([A-Za-z0-9_-]+)"/.exec(await page.text())?.[1];
    assert.ok(mfaToken);
    const verified = await browser.client.request('/auth/mfa/verify', { json: { mfaToken, code: recoveryCodes[0] } });
    assert.equal(verified.status, 200);
    const tokens = await verified.json();
    const amr = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString()).amr;
    assert.deepEqual([...amr].sort(), ['fed', 'mfa', 'otp']);
  });
});
