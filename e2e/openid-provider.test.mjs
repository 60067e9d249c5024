// The OpenID Provider's pages in a real Chromium against `npm run dev`: the consent page a
// third-party app gets (axe-core at both sizes), Allow handing the browser back to the app with a
// code, and the Connected apps card on /account with its Disconnect button.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { URL, URLSearchParams } from 'node:url';
import { checkBoth, launchBrowser } from './browser.mjs';
import { startDevServer } from './dev-server.mjs';

const ADMIN_KEY = `e2e-${randomBytes(24).toString('hex')}`;
const CALLBACK = 'http://127.0.0.1:9/callback';
let server;
let browser;

before(async () => {
  server = await startDevServer({ vars: { ADMIN_API_KEY: ADMIN_KEY } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function api(path, body, headers = {}) {
  const response = await fetch(`${server.origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** A person with a verified address, through the API and the development mailbox. */
async function newPerson() {
  const name = `oidc${randomBytes(4).toString('hex')}`;
  const person = { username: name, email: `${name}@example.com`, password: 'correct horse battery' };
  assert.equal((await api('/auth/register', person)).status, 201);
  let token;
  for (let i = 0; i < 50 && !token; i++) {
    const { body } = await api('/dev/mailbox');
    token = body.messages
      .filter((message) => message.to === person.email)
      .map((message) => /verify-email\?token=([\w-]+)/.exec(message.text)?.[1])
      .find(Boolean);
    if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal((await api('/auth/verify-email', { token })).status, 200);
  return person;
}

describe('the OpenID Provider pages', () => {
  it('asks consent for a third-party app, hands the browser back with a code, and lists the app on /account', async () => {
    const client = await api(
      '/admin/oauth/clients',
      { name: 'Photo Printer', redirectUris: [CALLBACK], public: true },
      { authorization: `Bearer ${ADMIN_KEY}` },
    );
    assert.equal(client.status, 201);
    const person = await newPerson();
    const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The app itself is not running: its callback is answered here, so the code can be read.
    await page.route(`${CALLBACK}**`, (route) => route.fulfill({ status: 200, body: 'the app' }));

    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.body.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    await page.goto(`/oauth2/authorize?${query}`);
    await page.waitForURL((url) => url.pathname === '/signin');
    await page.getByLabel('Username or email').fill(person.username);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Allow Photo Printer to use your account?' }).waitFor();
    await checkBoth(page, 'oauth-consent');

    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(CALLBACK));
    const answer = new URL(page.url()).searchParams;
    assert.ok(answer.get('code'));
    assert.equal(answer.get('state'), 'st');
    assert.equal(answer.get('iss'), server.origin);

    await page.goto('/account');
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    await checkBoth(page, 'account-connected-apps');
    await page.getByRole('button', { name: 'Disconnect Photo Printer' }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    assert.equal(await page.getByRole('heading', { name: 'Connected apps' }).count(), 0);
    await context.close();
  });
});
