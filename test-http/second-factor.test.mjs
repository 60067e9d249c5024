// The second factor cannot be walked around: changes of factors or address take a code, wrong codes
// count toward the lock-out, set-up codes and mfaToken tries are limited (in parallel too), one
// deletion wins, and a reset link dies with the address it was mailed to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, mailedToken, newClient, newIdentity, signIn, verifiedAccount } from './support/client.mjs';
import { totpCode } from './support/totp.mjs';

/** A signed-in account with TOTP on; its recovery codes serve the checks below (no step to wait for). */
async function accountWithTotp(client) {
  const identity = await verifiedAccount(client);
  const { accessToken } = await signIn(client, identity);
  const setup = await client.request('/auth/mfa/totp/setup', {
    token: accessToken,
    json: { password: identity.password },
  });
  assert.equal(setup.status, 200);
  const { secret } = await setup.json();
  const confirm = await client.request('/auth/mfa/totp/confirm', {
    token: accessToken,
    json: { code: totpCode(secret) },
  });
  assert.equal(confirm.status, 200);
  const { recoveryCodes } = await confirm.json();
  return { identity, accessToken, recoveryCodes };
}

describe('the second factor', () => {
  it('is asked for before a passkey is added or the account deleted while TOTP is on', async () => {
    const client = newClient();
    const { identity, accessToken, recoveryCodes } = await accountWithTotp(client);
    const options = (json) => client.request('/auth/passkeys/registration/options', { token: accessToken, json });
    await expectProblem(await options({ password: identity.password }), 403, 'second_factor_required');
    await expectProblem(await options({ password: identity.password, code: '000000' }), 401, 'invalid_code');
    const remove = (json) => client.request('/me', { method: 'DELETE', token: accessToken, json });
    await expectProblem(await remove({ password: identity.password }), 403, 'second_factor_required');
    assert.equal((await remove({ password: identity.password, code: recoveryCodes[0] })).status, 204);
  });

  it('locks the account after LOGIN_MAX_FAILURES wrong codes given with the right password', async () => {
    const client = newClient();
    const { identity, accessToken, recoveryCodes } = await accountWithTotp(client);
    const turnOff = (code) =>
      client.request('/auth/mfa/totp', {
        method: 'DELETE',
        token: accessToken,
        json: { password: identity.password, code },
      });
    // The development default of LOGIN_MAX_FAILURES is 10; TOTP's confirmation left the counter at 0.
    for (let attempt = 0; attempt < 10; attempt++) {
      await expectProblem(await turnOff(`00000${attempt}`), 401, 'invalid_code');
    }
    await expectProblem(await turnOff(recoveryCodes[0]), 429, 'rate_limited');
  });

  it('ends a pending set-up after 5 wrong codes', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const { accessToken } = await signIn(client, identity);
    const setup = await client.request('/auth/mfa/totp/setup', {
      token: accessToken,
      json: { password: identity.password },
    });
    const { secret } = await setup.json();
    const confirm = (code) => client.request('/auth/mfa/totp/confirm', { token: accessToken, json: { code } });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => confirm(`10000${i}`)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [401, 401, 401, 401, 401, 409, 409, 409]);
    await expectProblem(await confirm(totpCode(secret)), 409, 'conflict');
  });

  it('checks at most 5 codes of parallel second steps with one mfaToken', async () => {
    const client = newClient();
    const { identity } = await accountWithTotp(client);
    const login = await client.request('/auth/login', {
      json: { identifier: identity.username, password: identity.password },
    });
    const { mfaToken } = await expectProblem(login, 403, 'mfa_required');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.request('/auth/mfa/verify', { json: { mfaToken, code: `90000${i}` } }),
      ),
    );
    const codes = (await Promise.all(answers.map((answer) => answer.json()))).map((problem) => problem.code);
    assert.equal(codes.filter((code) => code === 'invalid_code').length, 5);
    assert.equal(codes.filter((code) => code === 'invalid_token').length, 5);
  });
});

describe('single winners and stale links', () => {
  it('answers five parallel deletions of one session with one 204', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const { accessToken } = await signIn(client, identity);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.request('/me', { method: 'DELETE', token: accessToken, json: { password: identity.password } }),
      ),
    );
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [204, 401, 401, 401, 401]);
  });

  it('refuses a reset link mailed before an email change', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const { accessToken } = await signIn(client, identity);
    assert.equal((await client.request('/auth/forgot-password', { json: { email: identity.email } })).status, 202);
    const reset = await mailedToken(identity.email, '/reset-password');
    const { email: newEmail } = newIdentity();
    const asked = await client.request('/auth/change-email', {
      token: accessToken,
      json: { password: identity.password, newEmail },
    });
    assert.equal(asked.status, 202);
    const token = await mailedToken(newEmail, '/confirm-email-change');
    assert.equal((await client.request('/auth/confirm-email-change', { json: { token } })).status, 200);
    const response = await client.request('/auth/reset-password', {
      json: { token: reset, password: 'a brand new passphrase' },
    });
    await expectProblem(response, 400, 'invalid_token');
  });
});
