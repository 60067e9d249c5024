// Changing the email through the worker: re-authenticated request, link to the new address,
// single-use confirmation decided in D1, the taken-meanwhile conflict, and the sessions it ends.
import { describe, expect, it } from 'vitest';
import {
  type Harness,
  type TokenBody,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from '../support/harness';

const TEN_MINUTES = 10 * 60 * 1000;

async function login(harness: Harness, identifier: string, password: string) {
  return harness.request('/auth/login', { method: 'POST', json: { identifier, password } });
}

async function askChange(harness: Harness, accessToken: string, password: string, newEmail: string) {
  return harness.request('/auth/change-email', { method: 'POST', token: accessToken, json: { password, newEmail } });
}

async function confirm(harness: Harness, token: string) {
  return harness.request('/auth/confirm-email-change', { method: 'POST', json: { token } });
}

describe('changing the email', () => {
  it('answers 202, mails a link to the new address and a notice to the current one', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const newEmail = uniqueIdentity('chmailnew').email;
    const asked = await askChange(harness, tokens.accessToken, identity.password, newEmail);
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({ status: 'accepted' });
    const mails = await harness.mailbox();
    expect(mails.some((mail) => mail.to === newEmail && mail.text.includes('/confirm-email-change?token='))).toBe(true);
    expect(mails.some((mail) => mail.to === identity.email && /change/i.test(mail.subject))).toBe(true);
    // Nothing changes until the new address confirms.
    const me = await harness.request('/me', { token: tokens.accessToken });
    expect(((await me.json()) as { email: string }).email).toBe(identity.email);
  });

  it('refuses a wrong password with invalid_credentials and mails nothing', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'chmail');
    const newEmail = uniqueIdentity('chmailnew').email;
    const asked = await askChange(harness, tokens.accessToken, 'not my password', newEmail);
    expect(asked.status).toBe(401);
    expect(await asked.json()).toMatchObject({
      code: 'invalid_credentials',
      errors: [{ field: 'password', message: 'The current password is incorrect.' }],
    });
    expect((await harness.mailbox()).some((mail) => mail.to === newEmail)).toBe(false);
  });

  it('refuses an unauthenticated request', async () => {
    const harness = createHarness();
    const asked = await harness.request('/auth/change-email', {
      method: 'POST',
      json: { password: 'whatever password', newEmail: 'x@example.com' },
    });
    expect(asked.status).toBe(401);
  });

  it('answers 202 for an address another account has, and mails it no link', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const other = uniqueIdentity('chmailother');
    await harness.request('/auth/register', { method: 'POST', json: other });
    const asked = await askChange(harness, tokens.accessToken, identity.password, other.email);
    expect(asked.status).toBe(202);
    const links = (await harness.mailbox()).filter(
      (mail) => mail.to === other.email && mail.text.includes('/confirm-email-change'),
    );
    expect(links).toEqual([]);
  });

  it('switches to the new, verified address, keeps the asking session and ends every other', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const newEmail = uniqueIdentity('chmailnew').email;
    await askChange(harness, tokens.accessToken, identity.password, newEmail);
    const token = await tokenFromMail(harness, newEmail, '/confirm-email-change');

    const confirmed = await confirm(harness, token);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ user: { email: newEmail, emailVerified: true } });

    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(200);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: other.refreshToken },
    });
    expect(refreshed.status).toBe(400);
    expect(
      (await harness.mailbox()).some((mail) => mail.to === identity.email && /was changed/.test(mail.subject)),
    ).toBe(true);
    expect((await login(harness, newEmail, identity.password)).status).toBe(200);
    expect((await login(harness, identity.email, identity.password)).status).toBe(401);
  });

  it('answers 409 conflict when the address was taken meanwhile, and changes nothing', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const newEmail = uniqueIdentity('chmailnew').email;
    await askChange(harness, tokens.accessToken, identity.password, newEmail);
    const token = await tokenFromMail(harness, newEmail, '/confirm-email-change');
    const squatter = { ...uniqueIdentity('squatter'), email: newEmail };
    expect((await harness.request('/auth/register', { method: 'POST', json: squatter })).status).toBe(201);

    const confirmed = await confirm(harness, token);
    expect(confirmed.status).toBe(409);
    expect(await confirmed.json()).toMatchObject({ code: 'conflict' });
    const me = await harness.request('/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: identity.email, emailVerified: true });
  });

  it('lets exactly one of two simultaneous confirmations of one link win', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const newEmail = uniqueIdentity('chmailnew').email;
    await askChange(harness, tokens.accessToken, identity.password, newEmail);
    const token = await tokenFromMail(harness, newEmail, '/confirm-email-change');

    const answers = await Promise.all([confirm(harness, token), confirm(harness, token)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const loser = answers.find((answer) => answer.status === 400)!;
    expect(await loser.json()).toMatchObject({ code: 'invalid_token' });
    expect((await confirm(harness, token)).status).toBe(400);
  });

  it('answers token_expired for a link older than ten minutes', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'chmail');
    const newEmail = uniqueIdentity('chmailnew').email;
    await askChange(harness, tokens.accessToken, identity.password, newEmail);
    const token = await tokenFromMail(harness, newEmail, '/confirm-email-change');
    harness.clock.advance(TEN_MINUTES + 1000);
    const late = await confirm(harness, token);
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ code: 'token_expired' });
  });

  it('refuses a verification or reset token as a confirmation', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('chmail');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const verification = await tokenFromMail(harness, identity.email, '/verify-email');
    const answer = await confirm(harness, verification);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 'invalid_token' });
  });
});
