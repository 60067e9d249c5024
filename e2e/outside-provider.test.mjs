// End-to-end: sign-in with an outside provider in a real Chromium, with panva's oidc-provider and
// its development login as the upstream provider: a new person continues with it from /signin,
// lands on /account with the provider connected, signs out and signs in again the same way; a
// forged callback shows its page. Every page on the way is checked by axe-core at both sizes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startUpstreamIdp } from '../test-http/support/upstream-idp.mjs';
import { checkBoth, launchBrowser } from './browser.mjs';
import { startDevServer } from './dev-server.mjs';

let upstream;
let server;
let browser;

before(async () => {
  upstream = await startUpstreamIdp({ range: [9180, 9199] });
  server = await startDevServer({ vars: upstream.settings });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  await upstream?.stop();
});

describe('sign-in with an outside provider in Chromium', () => {
  it('signs a new person up and in again, and shows the provider on /account', async () => {
    const context = await browser.newContext({ baseURL: server.origin });
    const page = await context.newPage();
    const login = `e2e${Date.now().toString(36)}@people.example`;

    await page.goto('/signin');
    await checkBoth(page, 'signin-with-provider');
    await page.getByRole('link', { name: 'Continue with Upstream' }).click();
    await page.waitForURL(`${upstream.issuer}/interaction/**`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${server.origin}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const username = await page.getByTestId('username').textContent();
    assert.equal(username, login.split('@')[0]);
    assert.match(await page.getByTestId('identities').textContent(), new RegExp(`Upstream[\\s\\S]*${login}`));
    await checkBoth(page, 'account-connected-accounts');

    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL(/\/signin/);
    await page.getByRole('link', { name: 'Continue with Upstream' }).click();
    // The provider remembers its session and the consent: straight back, signed in.
    await page.waitForURL(`${server.origin}/account`);
    assert.equal(await page.getByTestId('username').textContent(), username);
    await context.close();
  });

  it('shows a page for a callback this browser did not start', async () => {
    const context = await browser.newContext({ baseURL: server.origin });
    const page = await context.newPage();
    const response = await page.goto('/auth/oauth/corp/callback?code=forged&state=forged');
    assert.equal(response.status(), 400);
    await page.getByRole('heading', { name: 'Sign-in not finished' }).waitFor();
    await checkBoth(page, 'outside-sign-in-refused');
    await context.close();
  });
});
