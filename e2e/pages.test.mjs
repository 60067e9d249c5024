// End-to-end: the pages in a real Chromium against `npm run dev`, with JavaScript left on (the
// pages have none to run). Mail is read from the development mailbox page, like a person would.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, checkBoth } from './browser.mjs';
import { startDevServer } from './dev-server.mjs';

let server;
let browser;

before(async () => {
  server = await startDevServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

let counter = 0;
function newIdentity(prefix) {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}`;
  return {
    username: `${prefix}_${suffix}`,
    email: `${prefix}.${suffix}@example.com`,
    password: 'correct horse battery',
  };
}

async function newPage() {
  const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

/** Opens the newest mail to `email` on the mailbox page and follows its link to `path`. */
async function followMailLink(page, email, path, screenshot) {
  await page.goto('/dev/mailbox');
  const mail = page.locator('article.mail', { hasText: email }).first();
  await mail.waitFor();
  if (screenshot) await checkBoth(page, screenshot);
  await mail.locator(`a[href*="${path}"]`).click();
  await page.waitForURL((url) => url.pathname === path);
}

async function signIn(page, identifier, password) {
  await page.goto('/signin');
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function registerAndVerify(page, identity, screenshots = false) {
  await page.goto('/register');
  if (screenshots) await checkBoth(page, 'register');
  await page.getByLabel('Username').fill(identity.username);
  await page.getByLabel('Email').fill(identity.email);
  await page.getByLabel('Password').fill(identity.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
  if (screenshots) await checkBoth(page, 'register-mail-sent');
  await followMailLink(page, identity.email, '/verify-email', screenshots ? 'dev-mailbox' : undefined);
  if (screenshots) await checkBoth(page, 'verify-email');
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByRole('heading', { name: 'Email verified' }).waitFor();
  if (screenshots) await checkBoth(page, 'verify-email-done');
}

describe('pages in a browser', () => {
  it('registers, verifies from the mailbox, signs in, shows the account and signs out', async () => {
    const page = await newPage();
    const identity = newIdentity('e2e');
    await registerAndVerify(page, identity, true);
    await page.goto('/signin');
    await checkBoth(page, 'signin');
    await signIn(page, identity.username, identity.password);
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('username').textContent(), identity.username);
    await checkBoth(page, 'account');
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL('**/signin?notice=signed-out');
    await page.getByText('You are signed out.').waitFor();
    await page.goto('/account');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.context().close();
  });

  it('resets a forgotten password from the mailed link and signs in with the new one', async () => {
    const page = await newPage();
    const identity = newIdentity('reset');
    await registerAndVerify(page, identity);
    await page.goto('/forgot-password');
    await checkBoth(page, 'forgot-password');
    await page.getByLabel('Email').fill(identity.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await checkBoth(page, 'forgot-password-sent');
    await followMailLink(page, identity.email, '/reset-password');
    await checkBoth(page, 'reset-password');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.locator('#field-password-error').waitFor();
    await checkBoth(page, 'reset-password-error');
    await page.getByLabel('New password').fill('a different long secret');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL('**/signin?notice=password-reset');
    await checkBoth(page, 'signin-after-reset');
    await signIn(page, identity.email, 'a different long secret');
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('username').textContent(), identity.username);
    await page.context().close();
  });

  it('shows a wrong password as an error on the page', async () => {
    const page = await newPage();
    const identity = newIdentity('wrong');
    await registerAndVerify(page, identity);
    await signIn(page, identity.username, 'not my password at all');
    const error = page.locator('#field-password-error');
    await error.waitFor();
    assert.match(await error.textContent(), /do not match an account/);
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await checkBoth(page, 'signin-error');
    await page.context().close();
  });

  it('moves focus to the first invalid field of a refused registration', async () => {
    const page = await newPage();
    await page.goto('/register');
    await page.getByLabel('Username').fill(newIdentity('focus').username);
    await page.getByLabel('Email').fill('not-an-address');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#field-email-error').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-email');
    await checkBoth(page, 'register-error');
    await page.context().close();
  });

  it('draws the focus ring on the card and on the header', async () => {
    const page = await newPage();
    await page.goto('/signin');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'brand');
    await checkBoth(page, 'focus-header-link');
    await page.getByLabel('Password', { exact: true }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Sign in');
    await checkBoth(page, 'focus-button');
    await page.context().close();
  });

  it('shows the remaining pages and their error states without an accessibility violation', async () => {
    const page = await newPage();
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#field-identifier-error').waitFor();
    await checkBoth(page, 'signin-empty');
    await page.goto('/forgot-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.locator('#field-email-error').waitFor();
    await checkBoth(page, 'forgot-password-error');
    await page.goto('/resend-verification');
    await checkBoth(page, 'resend-verification');
    await page.getByLabel('Email').fill('not-an-address');
    await page.getByRole('button', { name: 'Send a new link' }).click();
    await page.locator('#field-email-error').waitFor();
    await checkBoth(page, 'resend-verification-error');
    await page.goto('/verify-email');
    await checkBoth(page, 'verify-email-no-token');
    await page.goto('/verify-email?token=not-a-real-token');
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByRole('alert').first().waitFor();
    await checkBoth(page, 'verify-email-invalid');
    await page.goto('/reset-password?token=not-a-real-token');
    await page.getByLabel('New password').fill('a long enough secret');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').first().waitFor();
    await checkBoth(page, 'reset-password-invalid');
    const missing = await page.goto('/no/such/page');
    assert.equal(missing.status(), 404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await checkBoth(page, 'not-found');
    await page.context().close();
  });

  it('signs out another browser when its session is revoked from /account', async () => {
    const first = await newPage();
    const identity = newIdentity('revoke');
    await registerAndVerify(first, identity);
    await signIn(first, identity.username, identity.password);
    await first.waitForURL('**/account');
    const second = await newPage();
    await signIn(second, identity.username, identity.password);
    await second.waitForURL('**/account');

    await first.reload();
    const others = first.locator('li.session', { hasNotText: 'This browser' });
    assert.equal(await others.count(), 1);
    await checkBoth(first, 'account-sessions');
    await others.getByRole('button', { name: /Sign out/ }).click();
    await first.waitForURL('**/account?notice=session-revoked');
    assert.equal(await first.locator('li.session').count(), 1);

    await second.goto('/account');
    assert.equal(new URL(second.url()).pathname, '/signin');
    await first.goto('/account');
    assert.equal(new URL(first.url()).pathname, '/account');
    await first.context().close();
    await second.context().close();
  });
});

describe('sign-in by email in a browser', () => {
  it('asks for a mail on /signin, opens its link, presses the button and lands on /account', async () => {
    const page = await newPage();
    const identity = newIdentity('esi');
    await registerAndVerify(page, identity);
    await page.goto('/signin');
    await page.getByLabel('Email', { exact: true }).fill(identity.email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await checkBoth(page, 'email-sign-in-sent');
    await followMailLink(page, identity.email, '/signin/email');
    await checkBoth(page, 'email-sign-in-link');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('username').textContent(), identity.username);
    await page.context().close();
  });

  it('signs in with the mailed code, and shows a wrong code and a used link without a violation', async () => {
    const page = await newPage();
    const identity = newIdentity('esicode');
    await registerAndVerify(page, identity);
    await page.goto('/signin/email/request');
    await checkBoth(page, 'email-sign-in-request');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.locator('#field-email-error').waitFor();
    await checkBoth(page, 'email-sign-in-request-error');
    await page.getByLabel('Email').fill(identity.email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const asking = page.url();

    const mailbox = await newPage();
    await mailbox.goto('/dev/mailbox');
    const mail = mailbox.locator('article.mail', { hasText: identity.email }).first();
    const code = /sign-in page: (\d{6})/.exec(await mail.textContent())[1];
    const link = await mail.locator('a[href*="/signin/email"]').getAttribute('href');
    await mailbox.context().close();

    assert.equal(page.url(), asking);
    await page.getByLabel('6-digit code from the mail').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#field-code-error').waitFor();
    await checkBoth(page, 'email-sign-in-code-error');
    await page.getByLabel('6-digit code from the mail').fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/account');

    // The code spent the mail: its link now shows the link-problem page.
    await page.goto(new URL(link).pathname + new URL(link).search);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'This sign-in link cannot be used' }).waitFor();
    await checkBoth(page, 'email-sign-in-link-used');
    await page.goto('/register/email');
    await checkBoth(page, 'email-sign-up-request');
    await page.context().close();
  });
});

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), so the test can act as the authenticator app. */
function totp(base32Secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/\s/g, '')) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The step after the current one: within the accepted drift, and later than any step already used. */
const nextStep = () => Math.floor(Date.now() / 30_000) + 1;

describe('two-step sign-in in a browser', () => {
  it('sets up an authenticator app from /account, then signs in with a code and with a recovery code', async () => {
    const page = await newPage();
    const identity = newIdentity('totp');
    await registerAndVerify(page, identity);
    await signIn(page, identity.username, identity.password);
    await page.waitForURL('**/account');

    await page.locator('#setup-password').fill(identity.password);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
    await checkBoth(page, 'two-step-setup');
    await page.locator('#confirm-code').fill(totp(secret, Math.floor(Date.now() / 30_000)));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await checkBoth(page, 'two-step-recovery-codes');
    const recoveryCodes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
    assert.equal(recoveryCodes.length, 10);

    await page.locator('form[action="/signout"] button').click();
    await page.waitForURL('**/signin**');
    await signIn(page, identity.username, identity.password);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    assert.ok(!page.url().includes('mfaToken'), 'the mfaToken never appears in a URL');
    await checkBoth(page, 'signin-code');
    await page.getByLabel('Code from your authenticator app').fill(totp(secret, nextStep()));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/account');
    assert.match(await page.getByTestId('two-step-status').textContent(), /10 recovery codes left/);

    await page.locator('form[action="/signout"] button').click();
    await page.waitForURL('**/signin**');
    await signIn(page, identity.username, identity.password);
    await page.getByLabel('Code from your authenticator app').fill(recoveryCodes[0].toLowerCase());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/account');
    assert.match(await page.getByTestId('two-step-status').textContent(), /9 recovery codes left/);
    await checkBoth(page, 'account-two-step-on');
    await page.context().close();
  });
});

describe('account lifecycle pages in a browser', () => {
  it('changes the email from /account through the link mailed to the new address', async () => {
    const page = await newPage();
    const identity = newIdentity('chmail');
    await registerAndVerify(page, identity);
    await signIn(page, identity.username, identity.password);
    await page.waitForURL('**/account');
    const card = page.getByRole('region', { name: 'Change email' });
    const newEmail = newIdentity('chmailnew').email;
    await card.getByLabel('New email address').fill(newEmail);
    await card.getByLabel('Current password').fill(identity.password);
    await card.getByRole('button', { name: 'Change email' }).click();
    await page.waitForURL('**/account?notice=email-change-sent');
    await checkBoth(page, 'account-email-change-sent');

    await followMailLink(page, newEmail, '/confirm-email-change');
    await checkBoth(page, 'confirm-email-change');
    await page.getByRole('button', { name: 'Use this email address' }).click();
    await page.getByRole('heading', { name: 'Email changed' }).waitFor();
    await checkBoth(page, 'confirm-email-change-done');
    await page.goto('/account');
    assert.match(await page.locator('dl.facts').textContent(), new RegExp(newEmail.replace(/[.]/g, '\\.')));
    await page.context().close();
  });

  it('deletes the account from /account with the password, and the sign-in then fails', async () => {
    const page = await newPage();
    const identity = newIdentity('delete');
    await registerAndVerify(page, identity);
    await signIn(page, identity.username, identity.password);
    await page.waitForURL('**/account');
    const card = page.getByRole('region', { name: 'Delete account' });
    assert.match(await card.textContent(), /cannot be undone/);
    await card.getByLabel('Current password').fill('not my password');
    await card.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('The current password is incorrect.').first().waitFor();
    await checkBoth(page, 'account-delete-refused');

    const again = page.getByRole('region', { name: 'Delete account' });
    await again.getByLabel('Current password').fill(identity.password);
    await again.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL('**/signin?notice=account-deleted');
    await checkBoth(page, 'account-deleted');
    await signIn(page, identity.username, identity.password);
    const error = page.locator('#field-password-error');
    await error.waitFor();
    assert.match(await error.textContent(), /do not match an account/);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.context().close();
  });
});
