// The lifecycle pages through the worker: change email and delete account from /account, the
// confirmation link's page (GET shows a button, only POST confirms), and the register page in
// EMAIL_VERIFICATION=optional mode.
import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../src/core/kit/base32';
import { generateTotpCode, totpTimeStep } from '../src/core/mfa/totp';
import { createHarness, tokenFromMail, uniqueIdentity } from './support/harness';
import { Jar, browserSignedIn, postForm, visit } from './support/page-browser';

describe('/account lifecycle forms', () => {
  it('shows the change email and delete account forms, with a warning', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness);
    const html = await (await visit(harness, jar, '/account')).text();
    expect(html).toContain('action="/account/email"');
    expect(html).toContain('action="/account/delete"');
    expect(html).toContain('This cannot be undone.');
  });

  it('asks for an email change and confirms it through the link page', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    await visit(harness, jar, '/account');
    const newEmail = uniqueIdentity('lcnew').email;
    const asked = await postForm(harness, jar, '/account/email', { newEmail, emailPassword: identity.password });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/account?notice=email-change-sent');
    const token = await tokenFromMail(harness, newEmail, '/confirm-email-change');

    // A GET (a mail scanner) changes nothing: it only shows the button.
    const shown = await visit(harness, jar, `/confirm-email-change?token=${token}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Use this email address');
    const me = await harness.request('/me', { token: jar.cookies.get('__Host-latchkey-access') });
    expect(await me.json()).toMatchObject({ email: identity.email });

    const confirmed = await postForm(harness, jar, '/confirm-email-change', { token });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain(newEmail);
    const again = await postForm(harness, jar, '/confirm-email-change', { token });
    expect(again.status).toBe(400);
  });

  it('shows a wrong password on the change email form', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness);
    await visit(harness, jar, '/account');
    const refused = await postForm(harness, jar, '/account/email', {
      newEmail: uniqueIdentity('lcnew').email,
      emailPassword: 'not my password',
    });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('The current password is incorrect.');
  });

  it('deletes the account with the password and signs the browser out', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    await visit(harness, jar, '/account');
    const wrong = await postForm(harness, jar, '/account/delete', { deletePassword: 'not my password' });
    expect(wrong.status).toBe(401);
    const deleted = await postForm(harness, jar, '/account/delete', { deletePassword: identity.password });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/signin?notice=account-deleted');
    expect(jar.cookies.has('__Host-latchkey-access')).toBe(false);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(login.status).toBe(401);
  });
});

describe('the register page with EMAIL_VERIFICATION=optional', () => {
  it('signs the new account in and goes to /account', async () => {
    const harness = createHarness({ env: { EMAIL_VERIFICATION: 'optional' } });
    const jar = new Jar();
    await visit(harness, jar, '/register');
    const identity = uniqueIdentity('lcopt');
    const response = await postForm(harness, jar, '/register', identity);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
    const account = await visit(harness, jar, '/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('(not verified)');
  });
});

describe('/account forms with two-step sign-in on', () => {
  async function signedInWithTotp() {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const token = jar.cookies.get('__Host-latchkey-access');
    const setup = await harness.request('/auth/mfa/totp/setup', {
      method: 'POST',
      token,
      json: { password: identity.password },
    });
    const { secret } = (await setup.json()) as { secret: string };
    const code = () => generateTotpCode(decodeBase32(secret)!, totpTimeStep(harness.clock.now()));
    const confirm = await harness.request('/auth/mfa/totp/confirm', {
      method: 'POST',
      token,
      json: { code: await code() },
    });
    expect(confirm.status).toBe(200);
    harness.clock.advance(30_000);
    return { harness, identity, jar, code };
  }

  it('shows a code field on the email, delete and passkey forms', async () => {
    const { harness, jar } = await signedInWithTotp();
    const html = await (await visit(harness, jar, '/account')).text();
    expect(html).toContain('name="emailCode"');
    expect(html).toContain('name="deleteCode"');
    expect(html).toMatch(/data-passkey-add[^>]*>[\s\S]*name="code"[\s\S]*Add a passkey/);
  });

  it('keeps the account when the delete form has no code, naming the code field', async () => {
    const { harness, identity, jar, code } = await signedInWithTotp();
    await visit(harness, jar, '/account');
    const refused = await postForm(harness, jar, '/account/delete', { deletePassword: identity.password });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Enter a code from your authenticator app or a recovery code.');
    const deleted = await postForm(harness, jar, '/account/delete', {
      deletePassword: identity.password,
      deleteCode: await code(),
    });
    expect(deleted.status).toBe(303);
  });

  it('shows no code field while two-step sign-in is off', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness);
    const html = await (await visit(harness, jar, '/account')).text();
    expect(html).not.toContain('name="deleteCode"');
    expect(html).not.toContain('name="emailCode"');
  });
});
