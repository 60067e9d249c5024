// OAuthClientStore and OAuthGrantStore (src/core/oauth-server/): clients stored and changed as
// given; a code redeemed by exactly one of parallel calls, and never once expired; a refresh token
// rotated by exactly one of parallel calls; revoking a grant or a consent takes its refresh tokens;
// deleting a client takes everything issued to it.
import { expect } from 'vitest';
import type { OAuthClient } from '../../src/core/oauth-server/oauth-client-store';
import type { AuthorizationCode, OAuthGrant, OAuthRefreshToken } from '../../src/core/oauth-server/oauth-grant-store';
import { DAY, MINUTE, T0, createUser, newDigest, setUp, uniqueName } from './fixtures';
import type { Contract, ContractStorage } from './suite';

function newClient(overrides: Partial<OAuthClient> = {}): OAuthClient {
  return {
    id: uniqueName('client'),
    name: 'Example app',
    secretDigest: 'digest-of-secret',
    redirectUris: ['https://rp.example/cb', 'http://localhost:3000/cb'],
    postLogoutRedirectUris: [],
    public: false,
    firstParty: true,
    idTokenSignedResponseAlg: 'RS256',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A client, a user and a saved code for them. */
async function withCode(s: ContractStorage): Promise<{ client: OAuthClient; code: AuthorizationCode }> {
  const client = newClient();
  await s.oauthClients.create(client);
  const user = await createUser(s);
  const code: AuthorizationCode = {
    digest: await newDigest(),
    clientId: client.id,
    userId: user.id,
    redirectUri: 'https://rp.example/cb',
    codeChallenge: 'x'.repeat(43),
    scopes: ['openid', 'email'],
    nonce: 'n-1',
    authTime: T0 - MINUTE,
    amr: ['pwd', 'otp', 'mfa'],
    credentialVersion: 0,
    expiresAt: T0 + MINUTE,
  };
  await s.oauthGrants.saveCode(code, T0 - DAY);
  return { client, code };
}

async function issueFor(code: AuthorizationCode): Promise<{ grant: OAuthGrant; refreshToken: OAuthRefreshToken }> {
  const grant: OAuthGrant = {
    id: uniqueName('grant'),
    clientId: code.clientId,
    userId: code.userId,
    scopes: code.scopes,
    authTime: code.authTime,
    amr: code.amr,
    credentialVersion: code.credentialVersion,
    createdAt: T0,
  };
  const refreshToken = {
    digest: await newDigest(),
    grantId: grant.id,
    createdAt: T0,
    expiresAt: T0 + DAY,
    rotatedAt: null,
  };
  return { grant, refreshToken };
}

export const oauthClientStoreContract: Contract = ({ it }, open) => {
  it('stores a client as given, lists it, changes it and deletes it', async () => {
    const { s } = await setUp(open);
    const client = newClient();
    await s.oauthClients.create(client);
    expect(await s.oauthClients.find(client.id)).toEqual(client);
    expect((await s.oauthClients.list()).map((entry) => entry.id)).toContain(client.id);
    const changed = {
      ...client,
      name: 'Renamed',
      firstParty: false,
      idTokenSignedResponseAlg: 'ES256' as const,
      updatedAt: T0 + 1,
    };
    expect(await s.oauthClients.update(changed)).toBe(true);
    expect(await s.oauthClients.find(client.id)).toEqual(changed);
    expect(await s.oauthClients.delete(client.id)).toBe(true);
    expect(await s.oauthClients.find(client.id)).toBeNull();
    expect(await s.oauthClients.update(changed)).toBe(false);
    expect(await s.oauthClients.delete(client.id)).toBe(false);
  });

  it('keeps a public client without a secret digest', async () => {
    const { s } = await setUp(open);
    const client = newClient({ public: true, secretDigest: null });
    await s.oauthClients.create(client);
    expect(await s.oauthClients.find(client.id)).toEqual(client);
  });
};

export const oauthGrantStoreContract: Contract = ({ it }, open) => {
  it('redeems a code once: the grant and its refresh token are stored, the code shows its use', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    expect(await s.oauthGrants.findCode(code.digest)).toEqual({ ...code, usedAt: null, grantId: null });
    const issued = await issueFor(code);
    expect(await s.oauthGrants.redeemCode(code.digest, issued, T0)).toBe(true);
    expect(await s.oauthGrants.findCode(code.digest)).toMatchObject({ usedAt: T0, grantId: issued.grant.id });
    expect(await s.oauthGrants.findGrant(issued.grant.id)).toEqual(issued.grant);
    expect(await s.oauthGrants.findRefreshToken(issued.refreshToken.digest)).toEqual({
      token: issued.refreshToken,
      grant: issued.grant,
    });
    expect(await s.oauthGrants.redeemCode(code.digest, await issueFor(code), T0 + 1)).toBe(false);
  });

  it('gives one of ten parallel redemptions the code, and stores one grant', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => issueFor(code)));
    const results = await Promise.all(attempts.map((issued) => s.oauthGrants.redeemCode(code.digest, issued, T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const grants = await Promise.all(attempts.map((issued) => s.oauthGrants.findGrant(issued.grant.id)));
    expect(grants.filter(Boolean)).toHaveLength(1);
  });

  it('does not redeem an expired code', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    const issued = await issueFor(code);
    expect(await s.oauthGrants.redeemCode(code.digest, issued, code.expiresAt)).toBe(false);
    expect(await s.oauthGrants.findGrant(issued.grant.id)).toBeNull();
  });

  it('rotates a refresh token once of parallel calls; the successor belongs to the grant', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    const issued = await issueFor(code);
    await s.oauthGrants.redeemCode(code.digest, issued, T0);
    const successors = await Promise.all(
      Array.from({ length: 8 }, async () => ({ ...issued.refreshToken, digest: await newDigest(), createdAt: T0 + 1 })),
    );
    const results = await Promise.all(
      successors.map((successor) =>
        s.oauthGrants.rotateRefreshToken(issued.refreshToken.digest, successor, T0 + 1, T0 - DAY),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = successors[results.indexOf(true)]!;
    expect((await s.oauthGrants.findRefreshToken(winner.digest))?.grant.id).toBe(issued.grant.id);
    expect((await s.oauthGrants.findRefreshToken(issued.refreshToken.digest))?.token.rotatedAt).toBe(T0 + 1);
    const losers = successors.filter((successor) => successor !== winner);
    for (const loser of losers) expect(await s.oauthGrants.findRefreshToken(loser.digest)).toBeNull();
  });

  it('revokes a grant with its refresh tokens', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    const issued = await issueFor(code);
    await s.oauthGrants.redeemCode(code.digest, issued, T0);
    await s.oauthGrants.revokeGrant(issued.grant.id);
    expect(await s.oauthGrants.findGrant(issued.grant.id)).toBeNull();
    expect(await s.oauthGrants.findRefreshToken(issued.refreshToken.digest)).toBeNull();
  });

  it('keeps one consent per person and client, lists it, and revoking it ends the grants', async () => {
    const { s } = await setUp(open);
    const { client, code } = await withCode(s);
    const issued = await issueFor(code);
    await s.oauthGrants.redeemCode(code.digest, issued, T0);
    await s.oauthGrants.saveConsent({ userId: code.userId, clientId: client.id, scopes: ['openid'], grantedAt: T0 });
    await s.oauthGrants.saveConsent({
      userId: code.userId,
      clientId: client.id,
      scopes: ['openid', 'email'],
      grantedAt: T0 + 1,
    });
    const consent = { userId: code.userId, clientId: client.id, scopes: ['openid', 'email'], grantedAt: T0 + 1 };
    expect(await s.oauthGrants.findConsent(code.userId, client.id)).toEqual(consent);
    expect(await s.oauthGrants.listConsents(code.userId)).toEqual([consent]);
    expect((await s.oauthGrants.revokeConsent(code.userId, client.id)).revoked).toBe(true);
    expect(await s.oauthGrants.findConsent(code.userId, client.id)).toBeNull();
    expect(await s.oauthGrants.findRefreshToken(issued.refreshToken.digest)).toBeNull();
    expect((await s.oauthGrants.revokeConsent(code.userId, client.id)).revoked).toBe(false);
  });

  it('forgets everything issued to a client that is deleted', async () => {
    const { s } = await setUp(open);
    const { client, code } = await withCode(s);
    const issued = await issueFor(code);
    await s.oauthGrants.redeemCode(code.digest, issued, T0);
    await s.oauthGrants.saveConsent({ userId: code.userId, clientId: client.id, scopes: ['openid'], grantedAt: T0 });
    await s.oauthClients.delete(client.id);
    expect(await s.oauthGrants.findCode(code.digest)).toBeNull();
    expect(await s.oauthGrants.findGrant(issued.grant.id)).toBeNull();
    expect(await s.oauthGrants.findRefreshToken(issued.refreshToken.digest)).toBeNull();
    expect(await s.oauthGrants.listConsents(code.userId)).toEqual([]);
  });

  it('forgets codes that expired before the memory when a new one is saved, and keeps the rest', async () => {
    const { s } = await setUp(open);
    const { code: old } = await withCode(s);
    const recent = { ...old, digest: await newDigest(), expiresAt: T0 + 5 * MINUTE };
    await s.oauthGrants.saveCode(recent, T0 - DAY);
    const next = { ...old, digest: await newDigest(), expiresAt: T0 + 6 * MINUTE };
    await s.oauthGrants.saveCode(next, T0 + 2 * MINUTE);
    expect(await s.oauthGrants.findCode(old.digest)).toBeNull();
    expect(await s.oauthGrants.findCode(recent.digest)).not.toBeNull();
    expect(await s.oauthGrants.findCode(next.digest)).not.toBeNull();
  });

  it('forgets rotated refresh tokens of the grant past the memory on its next rotation', async () => {
    const { s } = await setUp(open);
    const { code } = await withCode(s);
    const issued = await issueFor(code);
    await s.oauthGrants.redeemCode(code.digest, issued, T0);
    const second = { ...issued.refreshToken, digest: await newDigest(), createdAt: T0 + 1 };
    await s.oauthGrants.rotateRefreshToken(issued.refreshToken.digest, second, T0 + 1, T0 - DAY);
    const third = { ...issued.refreshToken, digest: await newDigest(), createdAt: T0 + DAY };
    await s.oauthGrants.rotateRefreshToken(second.digest, third, T0 + DAY, T0 + 2);
    expect(await s.oauthGrants.findRefreshToken(issued.refreshToken.digest)).toBeNull();
    expect((await s.oauthGrants.findRefreshToken(second.digest))?.token.rotatedAt).toBe(T0 + DAY);
    expect(await s.oauthGrants.findRefreshToken(third.digest)).not.toBeNull();
  });
};
