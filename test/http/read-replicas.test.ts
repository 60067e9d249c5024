// Session checks at a D1 read replica (SESSION_READS=replica, the default) and on the primary
// only (SESSION_READS=primary), against a replica that lags behind until the test syncs it.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser } from '../support/harness';
import { createLaggingReplica } from '../support/lagging-replica';
import { addPasskey, testAuthenticator } from '../support/passkeys';

async function setUp(reads: 'replica' | 'primary') {
  const replica = await createLaggingReplica(env.DB);
  const harness = createHarness({ env: { DB: replica.binding, SESSION_READS: reads } });
  const { identity, tokens } = await signedInUser(harness);
  const me = async (token = tokens.accessToken) => {
    const before = { ...replica.queries };
    const response = await harness.request('/me', { token });
    return {
      status: response.status,
      replica: replica.queries.replica - before.replica,
      primary: replica.queries.primary - before.primary,
    };
  };
  return { replica, harness, identity, tokens, me };
}

describe('session checks at a read replica', () => {
  it('accepts a session signed in a moment ago that the replica has not seen, by asking the primary', async () => {
    const { me } = await setUp('replica');
    expect(await me()).toEqual({ status: 200, replica: 1, primary: 1 });
  });

  it('answers /me from the replica alone once the session has replicated', async () => {
    const { replica, me } = await setUp('replica');
    await replica.sync();
    expect(await me()).toEqual({ status: 200, replica: 1, primary: 0 });
  });

  it('accepts a logged-out session at a lagging replica until the logout replicates, then refuses it', async () => {
    const { replica, harness, tokens, me } = await setUp('replica');
    await replica.sync();
    const logout = await harness.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    expect(logout.status).toBe(204);
    // The replication lag: the replica still holds the session.
    expect((await me()).status).toBe(200);
    await replica.sync();
    // Unknown at the replica, and the primary confirms it is gone.
    expect(await me()).toMatchObject({ status: 401, replica: 1, primary: 1 });
  });

  it('accepts a refreshed session whose expiry the replica has not seen', async () => {
    const { replica, harness, tokens, me } = await setUp('replica');
    await replica.sync();
    // Refreshed on the primary five minutes before the idle timeout; six minutes later the
    // replica's copy has expired, the new access token has not.
    harness.clock.advance(30 * 86_400_000 - 5 * 60_000);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    harness.clock.advance(6 * 60_000);
    const { accessToken } = (await refreshed.json()) as TokenBody;
    expect(await me(accessToken)).toEqual({ status: 200, replica: 1, primary: 1 });
  });

  it('refuses a state-changing request of a session ended at the primary, while a lagging replica still serves its GETs', async () => {
    const { replica, harness, identity, tokens, me } = await setUp('replica');
    const token = tokens.accessToken;
    const added = await addPasskey(harness, testAuthenticator(), { token, password: identity.password }, {}, 'Laptop');
    const { passkey } = (await added.json()) as { passkey: { id: string } };
    await replica.sync();
    // The owner signs out everywhere from another device; the replica has not seen it yet.
    const other = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const { accessToken: otherToken } = (await other.json()) as TokenBody;
    expect((await harness.request('/auth/logout-all', { method: 'POST', token: otherToken })).status).toBe(204);
    // A read may be answered from the replica for its lag, as documented.
    expect(await me()).toEqual({ status: 200, replica: 1, primary: 0 });
    // A write authenticates at the primary, which knows the session is gone.
    const before = { ...replica.queries };
    const renamed = await harness.request(`/auth/passkeys/${passkey.id}`, {
      method: 'PATCH',
      token,
      json: { name: 'Not yours' },
    });
    expect(renamed.status).toBe(401);
    expect(replica.queries.replica).toBe(before.replica);
    const names = await env.DB.prepare('select name from passkeys where id = ?1').bind(passkey.id).all();
    expect(names.results).toEqual([{ name: 'Laptop' }]);
  });

  it("lists the caller's own session even when the replica has not seen it yet", async () => {
    const { harness, tokens } = await setUp('replica');
    const response = await harness.request('/auth/sessions', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as { sessions: { current: boolean }[] };
    expect(sessions).toEqual([expect.objectContaining({ current: true })]);
  });
});

describe('session checks with SESSION_READS=primary', () => {
  it('refuses a logged-out session at once, even while the replica still holds it', async () => {
    const { replica, harness, tokens, me } = await setUp('primary');
    await replica.sync();
    expect(await me()).toEqual({ status: 200, replica: 0, primary: 1 });
    await harness.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    expect(await me()).toEqual({ status: 401, replica: 0, primary: 1 });
  });

  it('never reads a replica, for /me or the session list', async () => {
    const { replica, harness, tokens } = await setUp('primary');
    const response = await harness.request('/auth/sessions', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    expect(replica.queries.replica).toBe(0);
  });
});

describe('the SESSION_READS setting', () => {
  it('refuses to serve with an unknown value, naming the setting in the log', async () => {
    const harness = createHarness({ env: { SESSION_READS: 'nearest' } });
    const response = await harness.request('/me', { token: 'a.b.c' });
    expect(response.status).toBe(500);
    expect(harness.logs.join('\n')).toContain('SESSION_READS');
  });
});
