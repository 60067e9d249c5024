// Passkeys through the worker: registration, usernameless sign-in, and every refusal WebAuthn asks
// for, with the software authenticator as the browser and the real local D1.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser } from '../support/harness';
import {
  addPasskey,
  registrationOptions,
  signInOptions,
  signInWithPasskey,
  testAuthenticator,
} from '../support/passkeys';
import type { CoseAlgorithm } from '../../src/core/passkeys/webauthn/types';

async function userWithPasskey(options: Parameters<typeof testAuthenticator>[0] = {}) {
  const harness = createHarness();
  const { identity, tokens } = await signedInUser(harness, 'passkey');
  const login = { token: tokens.accessToken, password: identity.password };
  const authenticator = testAuthenticator(options);
  const added = await addPasskey(harness, authenticator, login);
  if (added.status !== 201) throw new Error(`adding a passkey answered ${added.status}: ${await added.text()}`);
  const { passkey } = (await added.json()) as { passkey: { id: string; name: string } };
  return { harness, identity, tokens, login, authenticator, passkey };
}

async function problemOf(response: Response) {
  return { status: response.status, body: (await response.json()) as { code: string; errors?: { message: string }[] } };
}

describe('adding a passkey', () => {
  it('offers discoverable, user-verified passkey options with a random user handle and the existing passkeys excluded', async () => {
    const { harness, identity, login } = await userWithPasskey();
    const { challengeId, options } = await registrationOptions(harness, login.token, login.password);
    expect(challengeId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(options.rp).toEqual({ id: 'app.example', name: 'Latchkey' });
    expect(options.user.name).toBe(identity.email);
    expect(options.user.id).not.toContain(identity.email);
    expect(options.user.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.pubKeyCredParams.map((param) => param.alg)).toEqual([-7, -8, -257]);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials).toHaveLength(1);
    expect(options.timeout).toBe(300_000);
  });

  it('needs the password again before offering options', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'passkey');
    const response = await harness.request('/auth/passkeys/registration/options', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: 'not the password' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('keeps one user handle per user across registrations', async () => {
    const { harness, login } = await userWithPasskey();
    const first = await registrationOptions(harness, login.token, login.password);
    const second = await registrationOptions(harness, login.token, login.password);
    expect(second.options.user.id).toBe(first.options.user.id);
    expect(second.options.challenge).not.toBe(first.options.challenge);
  });

  it('stores the passkey under the given name, lists it, and mails a notice', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'passkey');
    const added = await addPasskey(
      harness,
      testAuthenticator(),
      { token: tokens.accessToken, password: identity.password },
      {},
      'Work laptop',
    );
    expect(added.status).toBe(201);
    const { passkey } = (await added.json()) as { passkey: Record<string, unknown> };
    expect(passkey).toEqual({
      id: expect.any(String),
      name: 'Work laptop',
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const listed = await harness.request('/auth/passkeys', { token: tokens.accessToken });
    expect(await listed.json()).toEqual({ passkeys: [passkey] });
    const mails = (await harness.mailbox()).filter((mail) => mail.to === identity.email);
    expect(mails.some((mail) => mail.text.includes('passkey ("Work laptop") was added'))).toBe(true);
    expect(harness.logs.some((line) => line.includes('"event":"passkey.added"'))).toBe(true);
  });

  it('refuses a response from another origin, for another RP ID, or without user verification', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'passkey');
    const login = { token: tokens.accessToken, password: identity.password };
    const cases = [
      [{ origin: 'https://phish.example' }, 'origin_not_allowed'],
      [{ rpId: 'phish.example' }, 'rp_id_mismatch'],
      [{ userVerified: false }, 'user_not_verified'],
      [{ userPresent: false }, 'user_not_present'],
      [{ type: 'webauthn.get' }, 'wrong_ceremony_type'],
    ] as const;
    for (const [tampering, reason] of cases) {
      const { status, body } = await problemOf(await addPasskey(harness, testAuthenticator(), login, tampering));
      expect(status, reason).toBe(400);
      expect(body, reason).toMatchObject({
        code: 'passkey_refused',
        errors: [{ field: 'credential', message: reason }],
      });
    }
    const listed = await harness.request('/auth/passkeys', { token: tokens.accessToken });
    expect(await listed.json()).toEqual({ passkeys: [] });
  });

  it('refuses a credential id that another user already registered', async () => {
    const { authenticator } = await userWithPasskey();
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'passkey');
    // A valid registration, by a key of its own, under the first user's credential id.
    const taken = authenticator.credentials[0]!.id;
    const response = await addPasskey(
      harness,
      testAuthenticator(),
      { token: tokens.accessToken, password: identity.password },
      { credentialId: taken },
    );
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { code: 'passkey_refused', errors: [{ message: 'credential_already_registered' }] },
    });
  });

  it('uses a challenge once, even when two verifications race', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'passkey');
    const { challengeId, options } = await registrationOptions(harness, tokens.accessToken, identity.password);
    const [first, second] = await Promise.all([
      testAuthenticator().register(options),
      testAuthenticator().register(options),
    ]);
    const post = (credential: unknown) =>
      harness.request('/auth/passkeys/registration/verify', {
        method: 'POST',
        token: tokens.accessToken,
        json: { challengeId, credential },
      });
    const statuses = (await Promise.all([post(first), post(second)])).map((response) => response.status).sort();
    expect(statuses).toEqual([201, 400]);
  });

  it("refuses another user's registration challenge", async () => {
    const { harness, login } = await userWithPasskey();
    const { challengeId, options } = await registrationOptions(harness, login.token, login.password);
    const other = await signedInUser(harness, 'other');
    const response = await harness.request('/auth/passkeys/registration/verify', {
      method: 'POST',
      token: other.tokens.accessToken,
      json: { challengeId, credential: await testAuthenticator().register(options) },
    });
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'challenge_invalid' }] },
    });
  });

  it('refuses a challenge after five minutes', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'passkey');
    const { challengeId, options } = await registrationOptions(harness, tokens.accessToken, identity.password);
    harness.clock.advance(5 * 60 * 1000);
    const response = await harness.request('/auth/passkeys/registration/verify', {
      method: 'POST',
      token: tokens.accessToken,
      json: { challengeId, credential: await testAuthenticator().register(options) },
    });
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'challenge_invalid' }] },
    });
  });
});

describe('signing in with a passkey', () => {
  for (const algorithm of [-7, -8, -257] as CoseAlgorithm[]) {
    it(`answers the login's tokens and cookies for a passkey of algorithm ${algorithm}`, async () => {
      const { harness, identity, authenticator } = await userWithPasskey({ algorithm });
      const response = await signInWithPasskey(harness, authenticator);
      expect(response.status).toBe(200);
      const body = (await response.json()) as TokenBody;
      expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user']);
      expect(body.user.username).toBe(identity.username);
      expect(response.headers.getSetCookie().length).toBeGreaterThanOrEqual(2);
      const me = await harness.request('/me', { token: body.accessToken });
      expect(me.status).toBe(200);
      const refreshed = await harness.request('/auth/refresh', {
        method: 'POST',
        json: { refreshToken: body.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      // The one success event of every way in, tagged with its method (issue 20; was passkey.signed_in).
      expect(
        harness.logs.some((line) => line.includes('"event":"login.succeeded"') && line.includes('"method":"passkey"')),
      ).toBe(true);
    });
  }

  it('offers usernameless options: no allowCredentials, user verification required', async () => {
    const harness = createHarness();
    const { challengeId, options } = await signInOptions(harness);
    expect(challengeId).toBeTruthy();
    expect(options).toMatchObject({ rpId: 'app.example', allowCredentials: [], userVerification: 'required' });
  });

  it('records the last use on the passkey', async () => {
    const { harness, login, authenticator } = await userWithPasskey();
    expect((await signInWithPasskey(harness, authenticator)).status).toBe(200);
    const listed = (await (await harness.request('/auth/passkeys', { token: login.token })).json()) as {
      passkeys: { lastUsedAt: string | null }[];
    };
    expect(listed.passkeys[0]!.lastUsedAt).toBe(new Date(harness.clock.now()).toISOString());
  });

  it('answers invalid_credentials for a passkey that is not registered', async () => {
    const harness = createHarness();
    const stranger = testAuthenticator();
    const { options } = await registrationOptions(
      harness,
      ...(await (async () => {
        const { identity, tokens } = await signedInUser(harness, 'stranger');
        return [tokens.accessToken, identity.password] as const;
      })()),
    );
    await stranger.register(options); // made, but never posted
    const response = await signInWithPasskey(harness, stranger);
    expect(await problemOf(response)).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
  });

  it('refuses a wrong origin, a wrong RP ID, a missing UV flag and a tampered signature', async () => {
    const { harness, authenticator } = await userWithPasskey();
    const cases = [
      [{ origin: 'https://phish.example' }, 'origin_not_allowed'],
      [{ rpId: 'phish.example' }, 'rp_id_mismatch'],
      [{ userVerified: false }, 'user_not_verified'],
      [{ corruptSignature: true }, 'invalid_signature'],
      [{ challenge: 'AAAA' }, 'challenge_mismatch'],
    ] as const;
    for (const [tampering, reason] of cases) {
      const { status, body } = await problemOf(await signInWithPasskey(harness, authenticator, tampering));
      expect(status, reason).toBe(400);
      expect(body, reason).toMatchObject({ code: 'passkey_refused', errors: [{ message: reason }] });
    }
    expect(harness.logs.filter((line) => line.includes('"event":"passkey.refused"')).length).toBe(cases.length);
  });

  it('refuses a counter that goes back and logs a possible cloned authenticator', async () => {
    const { harness, authenticator } = await userWithPasskey({ counter: true });
    expect((await signInWithPasskey(harness, authenticator)).status).toBe(200);
    expect((await signInWithPasskey(harness, authenticator)).status).toBe(200);
    const cloned = await signInWithPasskey(harness, authenticator, { signCount: 1 });
    expect(await problemOf(cloned)).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'counter_not_increased' }] },
    });
    expect(harness.logs.some((line) => line.includes('"event":"passkey.possible_clone"'))).toBe(true);
  });

  it('refuses a sign-in whose backup eligibility differs from registration, and starts no session', async () => {
    const { harness, tokens, authenticator } = await userWithPasskey({ backupEligible: true, counter: false });
    const sessionsOf = (userId: string) =>
      env.DB.prepare('select count(*) as count from sessions where user_id = ?1')
        .bind(userId)
        .first<{ count: number }>();
    const before = await sessionsOf(tokens.user.id);
    const response = await signInWithPasskey(harness, authenticator, { backupEligible: false });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { code: 'passkey_refused', errors: [{ message: 'backup_eligibility_changed' }] },
    });
    expect(await sessionsOf(tokens.user.id)).toEqual(before);
    expect(harness.logs.some((line) => line.includes('"reason":"backup_eligibility_changed"'))).toBe(true);
  });

  it('accepts a sign-in whose backup state changed, and stores the new state', async () => {
    const { harness, passkey, authenticator } = await userWithPasskey({ backupEligible: true, counter: false });
    const stored = () =>
      env.DB.prepare('select backup_eligible, backed_up from passkeys where id = ?1')
        .bind(passkey.id)
        .first<{ backup_eligible: number; backed_up: number }>();
    expect(await stored()).toEqual({ backup_eligible: 1, backed_up: 1 });
    expect((await signInWithPasskey(harness, authenticator, { backedUp: false })).status).toBe(200);
    expect(await stored()).toEqual({ backup_eligible: 1, backed_up: 0 });
  });

  it('uses a sign-in challenge once: a replayed response is refused', async () => {
    const { harness, authenticator } = await userWithPasskey({ counter: false });
    const { challengeId, options } = await signInOptions(harness);
    const credential = await authenticator.authenticate(options);
    const post = () =>
      harness.request('/auth/passkeys/authentication/verify', { method: 'POST', json: { challengeId, credential } });
    expect((await post()).status).toBe(200);
    expect(await problemOf(await post())).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'challenge_invalid' }] },
    });
  });

  it('gives one of two racing sign-ins with the same challenge a session', async () => {
    const { harness, authenticator } = await userWithPasskey({ counter: false });
    const { challengeId, options } = await signInOptions(harness);
    const credential = await authenticator.authenticate(options);
    const post = () =>
      harness.request('/auth/passkeys/authentication/verify', { method: 'POST', json: { challengeId, credential } });
    const statuses = (await Promise.all([post(), post()])).map((response) => response.status).sort();
    expect(statuses).toEqual([200, 400]);
  });

  it('refuses a sign-in challenge after five minutes', async () => {
    const { harness, authenticator } = await userWithPasskey();
    const { challengeId, options } = await signInOptions(harness);
    const credential = await authenticator.authenticate(options);
    harness.clock.advance(5 * 60 * 1000);
    const response = await harness.request('/auth/passkeys/authentication/verify', {
      method: 'POST',
      json: { challengeId, credential },
    });
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'challenge_invalid' }] },
    });
  });

  it('refuses a user handle that is not the passkey owner’s', async () => {
    const { harness, authenticator } = await userWithPasskey();
    const other = await userWithPasskey();
    const handle = other.authenticator.credentials[0]!.userHandle;
    const response = await signInWithPasskey(harness, authenticator, { userHandle: handle });
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'user_handle_mismatch' }] },
    });
  });

  it('still answers email_not_verified for an account whose address is not verified', async () => {
    const { harness, tokens, authenticator } = await userWithPasskey();
    await env.DB.prepare('update users set email_verified_at = null where id = ?1').bind(tokens.user.id).run();
    const response = await signInWithPasskey(harness, authenticator);
    expect(await problemOf(response)).toMatchObject({ status: 403, body: { code: 'email_not_verified' } });
  });
});

describe('managing passkeys', () => {
  it('renames a passkey', async () => {
    const { harness, login, passkey } = await userWithPasskey();
    const response = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'PATCH',
      token: login.token,
      json: { name: '  Phone  ' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ passkey: { id: passkey.id, name: 'Phone' } });
  });

  it('removes a passkey with the password, mails a notice, and the passkey no longer signs in', async () => {
    const { harness, identity, login, passkey, authenticator } = await userWithPasskey();
    const wrong = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'DELETE',
      token: login.token,
      json: { password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    const removed = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'DELETE',
      token: login.token,
      json: { password: login.password },
    });
    expect(removed.status).toBe(204);
    const mails = (await harness.mailbox()).filter((mail) => mail.to === identity.email);
    expect(mails.some((mail) => mail.text.includes('was removed from'))).toBe(true);
    expect((await signInWithPasskey(harness, authenticator)).status).toBe(401);
  });

  it("answers 404 for another user's passkey", async () => {
    const { passkey } = await userWithPasskey();
    const { harness, login } = await userWithPasskey();
    const renamed = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'PATCH',
      token: login.token,
      json: { name: 'Mine now' },
    });
    expect(renamed.status).toBe(404);
    const removed = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'DELETE',
      token: login.token,
      json: { password: login.password },
    });
    expect(removed.status).toBe(404);
  });

  it('needs a session for every management route', async () => {
    const harness = createHarness();
    expect((await harness.request('/auth/passkeys')).status).toBe(401);
    const options = await harness.request('/auth/passkeys/registration/options', {
      method: 'POST',
      json: { password: 'x' },
    });
    expect(options.status).toBe(401);
  });
});
