import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, newClient, newIdentity, signIn, verifiedAccount } from './support/client.mjs';

describe('login and /me', () => {
  it('answers tokens by username or email, and /me answers the user with the access token', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    for (const identifier of [identity.username, identity.email]) {
      const response = await client.request('/auth/login', { json: { identifier, password: identity.password } });
      assert.equal(response.status, 200);
      const tokens = await response.json();
      assert.equal(tokens.tokenType, 'Bearer');
      assert.equal(tokens.accessToken.split('.').length, 3);
      const me = await client.request('/me', { token: tokens.accessToken });
      assert.equal(me.status, 200);
      const body = await me.json();
      assert.equal(body.username, identity.username);
      assert.equal(body.emailVerified, true);
    }
  });

  it('gives identical 401 answers for a wrong password and an unknown user', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const wrong = await client.request('/auth/login', {
      json: { identifier: identity.username, password: 'x'.repeat(12) },
    });
    const unknown = await client.request('/auth/login', {
      json: { identifier: 'nobody-here', password: 'x'.repeat(12) },
    });
    const first = await expectProblem(wrong, 401, 'invalid_credentials');
    const second = await expectProblem(unknown, 401, 'invalid_credentials');
    assert.deepEqual(first, second);
  });

  it('answers email_not_verified to the right password of an unverified account', async () => {
    const client = newClient();
    const identity = newIdentity();
    assert.equal((await client.request('/auth/register', { json: identity })).status, 201);
    const response = await client.request('/auth/login', {
      json: { identifier: identity.username, password: identity.password },
    });
    await expectProblem(response, 403, 'email_not_verified');
  });

  it('answers 401 with WWW-Authenticate at /me without a valid token', async () => {
    const client = newClient();
    const none = await client.request('/me');
    await expectProblem(none, 401, 'unauthorized');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const forged = await client.request('/me', { token: 'a.b.c' });
    await expectProblem(forged, 401, 'unauthorized');
    assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('serves the public signing keys', async () => {
    const client = newClient();
    const response = await client.request('/.well-known/jwks.json');
    assert.equal(response.status, 200);
    const { keys } = await response.json();
    assert.ok(keys.length >= 1);
    assert.equal(keys[0].d, undefined);
  });

  it('signs in through the README walkthrough aliases', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const response = await client.request('/login', {
      json: { identifier: identity.username, password: identity.password },
    });
    assert.equal(response.status, 200);
    assert.ok((await signIn(client, identity)).refreshToken);
  });
});
