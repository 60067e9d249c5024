// Logging in through the worker.
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser, uniqueIdentity } from '../support/harness';

describe('login', () => {
  it('answers tokens for a verified user by username or email, and via every alias', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    const attempts = [
      ['/auth/login', { identifier: identity.email.toUpperCase(), password: identity.password }],
      ['/auth/login', { username: identity.username, password: identity.password }],
      ['/auth/login', { email: identity.email, password: identity.password }],
      ['/auth/signin', { identifier: identity.username, password: identity.password }],
      ['/login', { identifier: identity.username, password: identity.password }],
    ] as const;
    for (const [path, json] of attempts) {
      const response = await harness.request(path, { method: 'POST', json });
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as TokenBody;
      expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, user: { username: identity.username } });
      expect(body.accessToken.split('.')).toHaveLength(3);
    }
  });

  it('gives identical 401 answers for a wrong password and an unknown user', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    const wrong = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'not the password' },
    });
    const unknown = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: 'nobody_here', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('reports email_not_verified only to someone with the right password', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity();
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const wrong = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'not the password' },
    });
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });
    const right = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(right.status).toBe(403);
    expect(await right.json()).toMatchObject({ code: 'email_not_verified' });
  });

  it('asks for exactly one identifier', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/login', {
      method: 'POST',
      json: { username: 'someone', email: 'someone@example.com', password: 'whatever password' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'identifier' }] });
  });
});
