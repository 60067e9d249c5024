import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, mailedToken, newClient, signIn, verifiedAccount } from './support/client.mjs';

const newPassword = 'another horse battery staple';

describe('forgot and reset password', () => {
  it('sets the new password, refuses the old one and ends every session', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const before = await signIn(client, identity);
    assert.equal((await client.request('/auth/forgot-password', { json: { email: identity.email } })).status, 202);
    const token = await mailedToken(identity.email, '/reset-password');
    const reset = await client.request('/auth/reset-password', { json: { token, password: newPassword } });
    assert.equal(reset.status, 200);

    await expectProblem(await client.request('/me', { token: before.accessToken }), 401, 'unauthorized');
    await expectProblem(
      await client.request('/auth/login', { json: { identifier: identity.username, password: identity.password } }),
      401,
      'invalid_credentials',
    );
    assert.ok((await signIn(client, { ...identity, password: newPassword })).accessToken);
    await expectProblem(
      await client.request('/auth/reset-password', { json: { token, password: `${newPassword} 2` } }),
      400,
      'invalid_token',
    );
  });

  it('gives exactly one success to three parallel resets with one token', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await client.request('/auth/forgot-password', { json: { email: identity.email } });
    const token = await mailedToken(identity.email, '/reset-password');
    const passwords = ['first horse battery', 'second horse battery', 'third horse battery'];
    const responses = await Promise.all(
      passwords.map((candidate) => client.request('/auth/reset-password', { json: { token, password: candidate } })),
    );
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 400, 400]);
    const winner = passwords[responses.findIndex((response) => response.status === 200)];
    let signedIn = 0;
    for (const candidate of passwords) {
      const response = await client.request('/auth/login', {
        json: { identifier: identity.username, password: candidate },
      });
      if (response.status === 200) signedIn += 1;
      assert.equal(response.status === 200, candidate === winner);
    }
    assert.equal(signedIn, 1);
  });

  it('answers 202 for an unknown address', async () => {
    const client = newClient();
    const response = await client.request('/auth/forgot-password', { json: { email: 'nobody@example.com' } });
    assert.equal(response.status, 202);
  });

  it('refuses a verification token at reset-password', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await client.request('/auth/resend-verification', { json: { email: identity.email } });
    const token = await mailedToken(identity.email, '/verify-email');
    await expectProblem(
      await client.request('/auth/reset-password', { json: { token, password: newPassword } }),
      400,
      'invalid_token',
    );
  });
});
