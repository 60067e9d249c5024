// Sign-in by email through the worker (issue 22): one mail with a link and a code, each working
// once (in parallel too), bounded code guessing, the same answer for unknown addresses, the second
// factor still asked, verification by proof, and accounts created by email.
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { type Harness, type TokenBody, createHarness, signedInUser, uniqueIdentity } from '../support/harness';
import { turnOnTotp } from '../support/totp';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

const ask = (harness: Harness, json: object) => harness.request('/auth/email-sign-in', { method: 'POST', json });
const verify = (harness: Harness, json: object) =>
  harness.request('/auth/email-sign-in/verify', { method: 'POST', json });

/** The link's token and the code of the newest sign-in mail to `email`. */
async function mailed(harness: Harness, email: string) {
  const mail = (await harness.mailbox()).find(
    (message) => message.to === email && message.text.includes('/signin/email'),
  );
  if (!mail) return null;
  return {
    text: mail.text,
    token: /\/signin\/email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!,
    code: /sign-in page: (\d{6})/.exec(mail.text)![1]!,
  };
}

async function problemCode(response: Response) {
  return ((await response.json()) as { code: string }).code;
}

describe('asking for a sign-in mail', () => {
  it('answers 202 alike for known and unknown addresses, and mails only the known one', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'esi');
    const unknown = uniqueIdentity('nobody').email;
    const known = await ask(harness, { email: identity.email });
    const other = await ask(harness, { email: unknown });
    expect([known.status, other.status]).toEqual([202, 202]);
    expect(await known.json()).toEqual(await other.json());
    const mail = await mailed(harness, identity.email);
    expect(mail!.text).toContain('expire in 10 minutes');
    expect(mail!.code).toMatch(/^\d{6}$/);
    expect(await mailed(harness, unknown)).toBeNull();
  });

  it('answers 404 on every route with EMAIL_SIGN_IN=off', async () => {
    const harness = createHarness({ env: { EMAIL_SIGN_IN: 'off' } });
    expect((await ask(harness, { email: 'a@example.com' })).status).toBe(404);
    expect((await verify(harness, { token: 'x'.repeat(43) })).status).toBe(404);
  });
});

describe('signing in with the link or the code', () => {
  it('signs in once with the link, like a login, and records the method', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'esilink');
    await ask(harness, { email: identity.email });
    const { token } = (await mailed(harness, identity.email))!;
    const first = await verify(harness, { token });
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toContain('__Host-latchkey-access=');
    const body = (await first.json()) as TokenBody;
    expect(body.user.email).toBe(identity.email);
    expect(decodeJwt(body.accessToken).amr).toEqual(['otp']);
    expect(harness.logs.some((line) => line.includes('"method":"email_link"'))).toBe(true);
    const again = await verify(harness, { token });
    expect(again.status).toBe(400);
    expect(await problemCode(again)).toBe('invalid_token');
  });

  it('lets one of ten parallel verifies with the right code win', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'esirace');
    await ask(harness, { email: identity.email });
    const { code } = (await mailed(harness, identity.email))!;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => verify(harness, { email: identity.email, code })),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
  });

  it('spends the code after five wrong ones, and answers an unknown address the same', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'esiguess');
    await ask(harness, { email: identity.email });
    const { code } = (await mailed(harness, identity.email))!;
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => verify(harness, { email: identity.email, code: wrong })),
    );
    for (const answer of answers) expect(await problemCode(answer)).toBe('invalid_code');
    const right = await verify(harness, { email: identity.email, code });
    expect(right.status).toBe(401);
    const unknown = await verify(harness, { email: uniqueIdentity('nobody').email, code });
    expect(unknown.status).toBe(401);
    expect(await problemCode(unknown)).toBe('invalid_code');
  });

  it('replaces the previous mail: its link no longer works', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'esinew');
    await ask(harness, { email: identity.email });
    const first = (await mailed(harness, identity.email))!;
    // The mailbox orders by send time, which the test clock sets: the second mail comes later.
    harness.clock.advance(1000);
    await ask(harness, { email: identity.email });
    const second = (await mailed(harness, identity.email))!;
    expect(second.token).not.toBe(first.token);
    expect((await verify(harness, { token: first.token })).status).toBe(400);
    expect((await verify(harness, { token: second.token })).status).toBe(200);
  });

  it('still asks for the second factor when TOTP is on', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'esimfa');
    const { code } = await turnOnTotp(harness, tokens, identity.password);
    await ask(harness, { email: identity.email });
    const { token } = (await mailed(harness, identity.email))!;
    const first = await verify(harness, { token });
    expect(first.status).toBe(403);
    const { mfaToken } = (await first.json()) as { code: string; mfaToken: string };
    const second = await harness.request('/auth/mfa/verify', {
      method: 'POST',
      json: { mfaToken, code: await code() },
    });
    expect(second.status).toBe(200);
    expect(decodeJwt(((await second.json()) as TokenBody).accessToken).amr).toEqual(['otp', 'mfa']);
  });

  it('refuses a disabled account', async () => {
    const harness = createHarness({ env: { ADMIN_API_KEY: ADMIN_KEY } });
    const { identity, tokens } = await signedInUser(harness, 'esioff');
    await ask(harness, { email: identity.email });
    const { token } = (await mailed(harness, identity.email))!;
    await harness.request(`/admin/users/${tokens.user.id}/disable`, { method: 'POST', token: ADMIN_KEY });
    const response = await verify(harness, { token });
    expect(response.status).toBe(403);
    expect(await problemCode(response)).toBe('account_disabled');
  });

  it('marks an unverified address verified', async () => {
    const harness = createHarness({ env: { EMAIL_VERIFICATION: 'optional' } });
    const identity = uniqueIdentity('esiverify');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    await ask(harness, { email: identity.email });
    const { token } = (await mailed(harness, identity.email))!;
    const response = await verify(harness, { token });
    expect(((await response.json()) as TokenBody).user.emailVerified).toBe(true);
  });
});

describe('accounts created by email', () => {
  it('creates a passwordless account with a verified address at the first verify', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('esinew');
    expect(
      (await ask(harness, { email: identity.email, createAccount: true, username: identity.username })).status,
    ).toBe(202);
    const { code } = (await mailed(harness, identity.email))!;
    const response = await verify(harness, { email: identity.email, code });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body.user).toMatchObject({ username: identity.username, email: identity.email, emailVerified: true });
    const account = await env.DB.prepare('select password_hash from accounts where user_id = ?1')
      .bind(body.user.id)
      .first<{ password_hash: string | null }>();
    expect(account!.password_hash).toBeNull();
  });

  it('answers 409 at the verify when the username was taken meanwhile', async () => {
    const harness = createHarness();
    const { identity: taken } = await signedInUser(harness, 'esitaken');
    const email = uniqueIdentity('esiother').email;
    await ask(harness, { email, createAccount: true, username: taken.username });
    const { token } = (await mailed(harness, email))!;
    const response = await verify(harness, { token });
    expect(response.status).toBe(409);
    expect(await problemCode(response)).toBe('conflict');
  });

  it('mails nothing to an unknown address with EMAIL_SIGN_UP=off', async () => {
    const harness = createHarness({ env: { EMAIL_SIGN_UP: 'off' } });
    const identity = uniqueIdentity('esinosignup');
    expect(
      (await ask(harness, { email: identity.email, createAccount: true, username: identity.username })).status,
    ).toBe(202);
    expect(await mailed(harness, identity.email)).toBeNull();
  });
});
