// End-to-end: passkeys in a real Chromium against `npm run dev` on http://localhost (so the RP ID
// is `localhost`), with Chromium's virtual authenticator (DevTools protocol, CTAP2, internal
// transport, resident keys, user verification) standing in for a phone or a laptop's screen lock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkBoth, launchBrowser } from './browser.mjs';
import { startDevServer } from './dev-server.mjs';

let server;
let browser;

before(async () => {
  server = await startDevServer();
  assert.match(server.origin, /^http:\/\/localhost:\d+$/);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const identity = {
  username: `passkey_${Date.now().toString(36)}`,
  email: `passkey.${Date.now().toString(36)}@example.com`,
  password: 'correct horse battery',
};

/** A platform authenticator that holds discoverable credentials and always verifies the user. */
async function addVirtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /** Off: requests wait for the user's touch (so /signin's autofill request does not sign in by itself). */
    touch: (enabled) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled }),
  };
}

async function registerAndVerify(page) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(identity.username);
  await page.getByLabel('Email').fill(identity.email);
  await page.getByLabel('Password').fill(identity.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  await page.goto('/dev/mailbox');
  await page.locator('article.mail', { hasText: identity.email }).first().locator('a[href*="/verify-email"]').click();
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByRole('heading', { name: 'Email verified' }).waitFor();
}

describe('passkeys in a browser', () => {
  it('adds a passkey on /account, signs out, and signs in with the passkey alone', async () => {
    const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    await registerAndVerify(page);

    await page.goto('/signin');
    await page.getByLabel('Username or email').fill(identity.username);
    await page.getByLabel('Password', { exact: true }).fill(identity.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/account');
    await page.getByText('You have no passkeys yet.').waitFor();
    await checkBoth(page, 'account-passkeys-empty');

    const add = page.locator('form[data-passkey-add]');
    await add.getByLabel('Name for the new passkey').fill('Virtual authenticator');
    await add.getByLabel('Your password').fill(identity.password);
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL('**/account?notice=passkey-added');
    assert.equal(await page.getByTestId('passkey').count(), 1);
    assert.match(await page.getByTestId('passkey').textContent(), /Virtual authenticator/);
    await checkBoth(page, 'account-passkeys');
    const stored = await authenticator.credentials();
    assert.equal(stored.length, 1);
    assert.equal(stored[0].isResidentCredential, true);
    assert.equal(stored[0].rpId, 'localhost');

    await authenticator.touch(false);
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL('**/signin?notice=signed-out');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await checkBoth(page, 'signin-passkey');
    // With touch on, either the button's request or the autofill request (already pending) signs in;
    // when the autofill one wins, the page is leaving and the click has nothing left to do.
    await authenticator.touch(true);
    await page
      .getByRole('button', { name: 'Sign in with a passkey' })
      .click({ timeout: 5000 })
      .catch(() => {});
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('username').textContent(), identity.username);
    await page.getByText(/last used/).waitFor();
    await checkBoth(page, 'account-after-passkey-signin');
    await context.close();
  });

  it('hides the passkey option on /signin at an IP address, where no passkey can work, and shows no browser error', async () => {
    // The same server by its IP address: the RP ID (localhost) is not this page's host, and an IP
    // address never can be one, so the browser would refuse every request ("invalid domain").
    const ipOrigin = server.origin.replace('//localhost:', '//127.0.0.1:');
    const context = await browser.newContext({ baseURL: ipOrigin, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await addVirtualAuthenticator(page);
    await page.goto('/signin', { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.getByText(/invalid domain/i).count(), 0, "the browser's own error is shown");
    assert.equal(await page.locator('[data-passkey-signin]').isVisible(), false, 'the passkey option is shown');
    assert.equal(await page.locator('[data-passkey-status]').textContent(), '');
    await context.close();
  });

  it('says in plain words why a passkey sign-in failed, never the browser message', async () => {
    const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
    // Every passkey request fails the way a browser refuses one at a host outside the RP ID.
    await context.addInitScript(() => {
      window.navigator.credentials.get = async () => {
        throw new window.DOMException('This is an invalid domain.', 'SecurityError');
      };
    });
    const page = await context.newPage();
    await page.goto('/signin', { waitUntil: 'networkidle' });
    const status = page.locator('[data-passkey-status]');
    assert.equal(await status.textContent(), '', 'an error is shown before any click');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForFunction(() => document.querySelector('[data-passkey-status]')?.textContent !== '');
    const shown = await status.textContent();
    assert.doesNotMatch(shown, /invalid domain/i);
    assert.match(shown, /Passkeys cannot be used at this address/);
    await context.close();
  });
});
