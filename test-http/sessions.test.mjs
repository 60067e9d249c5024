import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, newClient, signIn, verifiedAccount } from './support/client.mjs';

describe('sessions: refresh, logout and the session list', () => {
  it('rotates the refresh token on every use', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const first = await signIn(client, identity);
    const refreshed = await client.request('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    assert.equal(refreshed.status, 200);
    const second = await refreshed.json();
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await client.request('/me', { token: second.accessToken })).status, 200);
    assert.equal((await client.request('/auth/refresh', { json: { refreshToken: second.refreshToken } })).status, 200);
  });

  it('answers one repeat of a rotated token in the grace window and ends the session at the next', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const first = await signIn(client, identity);
    const rotated = await client.request('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    const second = await rotated.json();
    const repeat = await client.request('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    assert.equal(repeat.status, 200);
    await expectProblem(
      await client.request('/auth/refresh', { json: { refreshToken: first.refreshToken } }),
      400,
      'invalid_token',
    );
    await expectProblem(
      await client.request('/auth/refresh', { json: { refreshToken: second.refreshToken } }),
      400,
      'invalid_token',
    );
  });

  it('ends the session at logout: its access and refresh tokens stop working', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const tokens = await signIn(client, identity);
    const logout = await client.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    assert.equal(logout.status, 204);
    await expectProblem(await client.request('/me', { token: tokens.accessToken }), 401, 'unauthorized');
    await expectProblem(
      await client.request('/auth/refresh', { json: { refreshToken: tokens.refreshToken } }),
      400,
      'invalid_token',
    );
  });

  it('lists the sessions, marks the current one, and ends another by id', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const mine = await signIn(client, identity);
    const other = await signIn(client, identity);
    const listed = await client.request('/auth/sessions', { token: mine.accessToken });
    assert.equal(listed.status, 200);
    const { sessions } = await listed.json();
    assert.equal(sessions.length, 2);
    assert.equal(sessions.filter((session) => session.current).length, 1);
    const otherSession = sessions.find((session) => !session.current);
    const ended = await client.request(`/auth/sessions/${otherSession.id}`, {
      method: 'DELETE',
      token: mine.accessToken,
    });
    assert.equal(ended.status, 204);
    await expectProblem(await client.request('/me', { token: other.accessToken }), 401, 'unauthorized');
    await expectProblem(
      await client.request(`/auth/sessions/${otherSession.id}`, { method: 'DELETE', token: mine.accessToken }),
      404,
      'not_found',
    );
  });

  it('ends every session at logout-all', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const one = await signIn(client, identity);
    const two = await signIn(client, identity);
    assert.equal((await client.request('/auth/logout-all', { method: 'POST', token: one.accessToken })).status, 204);
    for (const tokens of [one, two]) {
      await expectProblem(await client.request('/me', { token: tokens.accessToken }), 401, 'unauthorized');
    }
  });

  it('deletes the account with its password, and its sessions with it', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const tokens = await signIn(client, identity);
    const deleted = await client.request('/me', {
      method: 'DELETE',
      json: { password: identity.password },
      token: tokens.accessToken,
    });
    assert.equal(deleted.status, 204);
    await expectProblem(
      await client.request('/auth/refresh', { json: { refreshToken: tokens.refreshToken } }),
      400,
      'invalid_token',
    );
    await expectProblem(
      await client.request('/auth/login', { json: { identifier: identity.username, password: identity.password } }),
      401,
      'invalid_credentials',
    );
  });
});
