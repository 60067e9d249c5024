import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, mailedToken, newClient, newIdentity } from './support/client.mjs';

describe('registration and email verification', () => {
  it('creates an unverified user and mails a verification link that verifies it once', async () => {
    const client = newClient();
    const identity = newIdentity();
    const registered = await client.request('/auth/register', { json: identity });
    assert.equal(registered.status, 201);
    const { user } = await registered.json();
    assert.equal(user.username, identity.username);
    assert.equal(user.emailVerified, false);

    const token = await mailedToken(identity.email, '/verify-email');
    const verified = await client.request('/auth/verify-email', { json: { token } });
    assert.equal(verified.status, 200);
    assert.equal((await verified.json()).user.emailVerified, true);
    await expectProblem(await client.request('/auth/verify-email', { json: { token } }), 400, 'invalid_token');
  });

  it('answers 409 conflict naming the field for a username taken in another case', async () => {
    const client = newClient();
    const identity = newIdentity();
    assert.equal((await client.request('/auth/register', { json: identity })).status, 201);
    const again = { ...identity, username: identity.username.toUpperCase(), email: `other-${identity.email}` };
    const problem = await expectProblem(await client.request('/auth/register', { json: again }), 409, 'conflict');
    assert.deepEqual(
      problem.errors.map((error) => error.field),
      ['username'],
    );
  });

  it('lets exactly one of five parallel registrations of one username win', async () => {
    const client = newClient();
    const identity = newIdentity();
    const responses = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        client.request('/auth/register', { json: { ...identity, email: `${n}-${identity.email}` } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409]);
  });

  it('answers 400 validation_failed with a message per field', async () => {
    const client = newClient();
    const response = await client.request('/auth/register', {
      json: { username: 'a', email: 'not-an-email', password: 'short' },
    });
    const problem = await expectProblem(response, 400, 'validation_failed');
    const fields = problem.errors.map((error) => error.field).sort();
    assert.deepEqual(fields, ['email', 'password', 'username']);
  });

  it('answers 202 to resend-verification for any address', async () => {
    const client = newClient();
    const response = await client.request('/auth/resend-verification', { json: { email: 'nobody@example.com' } });
    assert.equal(response.status, 202);
  });
});
