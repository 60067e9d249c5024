// One door for every sign-in (issue 20): each way in ends with one `login.succeeded` line naming
// its method and a session whose access tokens say how it was proven (`amr`, RFC 8176); an account
// without a password signs in with a passkey, confirms changes with one, and can set a password.
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { type Harness, type TokenBody, createHarness, signedInUser, uniqueIdentity } from '../support/harness';
import { addPasskey, signInWithPasskey, testAuthenticator } from '../support/passkeys';
import type { SoftwareAuthenticator } from '../support/software-authenticator';
import { turnOnTotp } from '../support/totp';

const amrOf = (accessToken: string) => decodeJwt(accessToken).amr;

function successLines(harness: Harness) {
  return harness.logs
    .map((line) => JSON.parse(line) as { event: string; method?: string })
    .filter((line) => line.event === 'login.succeeded');
}

/** A signed-in user with a passkey, whose password is then removed as a passwordless sign-up leaves it. */
async function passwordlessUser(harness: Harness) {
  const { identity, tokens } = await signedInUser(harness, 'nopw');
  const authenticator = testAuthenticator();
  const added = await addPasskey(harness, authenticator, { token: tokens.accessToken, password: identity.password });
  expect(added.status).toBe(201);
  await env.DB.prepare('update accounts set password_hash = null where user_id = ?1').bind(tokens.user.id).run();
  return { identity, tokens, authenticator };
}

/** A passkey assertion answering a re-authentication challenge of the signed-in user. */
async function passkeyProof(harness: Harness, accessToken: string, authenticator: SoftwareAuthenticator) {
  const response = await harness.request('/auth/passkeys/reauthentication/options', {
    method: 'POST',
    token: accessToken,
    json: {},
  });
  expect(response.status).toBe(200);
  const { challengeId, options } = (await response.json()) as {
    challengeId: string;
    options: Parameters<SoftwareAuthenticator['authenticate']>[0];
  };
  expect(options.allowCredentials.length).toBeGreaterThan(0);
  return { challengeId, credential: await authenticator.authenticate(options) };
}

describe('one door for every sign-in', () => {
  it('names the method in one success line and says how the session was proven', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'door');
    expect(amrOf(tokens.accessToken)).toEqual(['pwd']);
    const authenticator = testAuthenticator();
    await addPasskey(harness, authenticator, { token: tokens.accessToken, password: identity.password });
    const passkey = await signInWithPasskey(harness, authenticator);
    expect(passkey.status).toBe(200);
    expect(amrOf(((await passkey.json()) as TokenBody).accessToken)).toEqual(['hwk', 'user', 'mfa']);
    expect(successLines(harness).map((line) => line.method)).toEqual(['password', 'passkey']);
  });

  it('carries the second step into amr, and keeps amr across refreshes', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'doormfa');
    const { code } = await turnOnTotp(harness, tokens, identity.password);
    const first = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const { mfaToken } = (await first.json()) as { mfaToken: string };
    const second = await harness.request('/auth/mfa/verify', {
      method: 'POST',
      json: { mfaToken, code: await code() },
    });
    expect(second.status).toBe(200);
    const signedIn = (await second.json()) as TokenBody;
    expect(amrOf(signedIn.accessToken)).toEqual(['pwd', 'otp', 'mfa']);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: signedIn.refreshToken },
    });
    expect(amrOf(((await refreshed.json()) as TokenBody).accessToken)).toEqual(['pwd', 'otp', 'mfa']);
    expect(successLines(harness).at(-1)).toMatchObject({ method: 'totp' });
  });

  it('records sign-up in optional mode as its own method', async () => {
    const harness = createHarness({ env: { EMAIL_VERIFICATION: 'optional' } });
    const registered = await harness.request('/auth/register', { method: 'POST', json: uniqueIdentity('doorsu') });
    expect(registered.status).toBe(201);
    expect(amrOf(((await registered.json()) as TokenBody).accessToken)).toEqual(['pwd']);
    expect(successLines(harness).map((line) => line.method)).toEqual(['sign_up']);
  });
});

describe('accounts without a password', () => {
  it('refuses any password like a wrong one, and signs in with the passkey', async () => {
    const harness = createHarness();
    const { identity, authenticator } = await passwordlessUser(harness);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(login.status).toBe(401);
    expect(await login.json()).toMatchObject({ code: 'invalid_credentials' });
    expect((await signInWithPasskey(harness, authenticator)).status).toBe(200);
  });

  it('confirms a change with a passkey, and sets a password that then signs in', async () => {
    const harness = createHarness();
    const { identity, tokens, authenticator } = await passwordlessUser(harness);
    const withPassword = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: identity.password, newPassword: 'a fresh passphrase here' },
    });
    expect(withPassword.status).toBe(401);
    const set = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: {
        passkey: await passkeyProof(harness, tokens.accessToken, authenticator),
        newPassword: 'a fresh passphrase here',
      },
    });
    expect(set.status).toBe(200);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'a fresh passphrase here' },
    });
    expect(login.status).toBe(200);
  });

  it('deletes itself with a passkey instead of a password', async () => {
    const harness = createHarness();
    const { tokens, authenticator } = await passwordlessUser(harness);
    const missing = await harness.request('/me', { method: 'DELETE', token: tokens.accessToken, json: {} });
    expect(missing.status).toBe(400);
    const deleted = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { passkey: await passkeyProof(harness, tokens.accessToken, authenticator) },
    });
    expect(deleted.status).toBe(204);
  });

  it("refuses another user's passkey as a re-authentication", async () => {
    const harness = createHarness();
    const alice = await passwordlessUser(harness);
    const bob = await passwordlessUser(harness);
    const proof = await passkeyProof(harness, alice.tokens.accessToken, bob.authenticator);
    const response = await harness.request('/me', {
      method: 'DELETE',
      token: alice.tokens.accessToken,
      json: { passkey: proof },
    });
    expect([400, 401]).toContain(response.status);
    expect((await harness.request('/me', { token: alice.tokens.accessToken })).status).toBe(200);
  });
});
