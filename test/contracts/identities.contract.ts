// IdentityStore (src/core/identities/identity-store.ts): a pending authorization taken once, only
// with its verifier and before it expires (one winner in parallel); an identity linked to one
// account (one winner in parallel, a new account and its identity together or not at all); an
// unlink that keeps the last way in, also when two race; everything gone with its account.
import { expect } from 'vitest';
import { newEvent } from '../../src/core/events/catalogue';
import type { OutsideIdentity, PendingAuthorization } from '../../src/core/identities/identity-store';
import { MINUTE, T0, createUser, newDigest, newPasskey, newUserInput, setUp, uniqueName } from './fixtures';
import type { Contract } from './suite';

async function pendingAuthorization(overrides: Partial<PendingAuthorization> = {}): Promise<PendingAuthorization> {
  return {
    stateDigest: await newDigest(),
    provider: 'corp',
    verifierDigest: await newDigest(),
    nonce: uniqueName('nonce'),
    linkUserId: null,
    returnTo: '/account',
    expiresAt: T0 + 10 * MINUTE,
    ...overrides,
  };
}

function identityOf(userId: string, overrides: Partial<OutsideIdentity> = {}): OutsideIdentity {
  return {
    id: crypto.randomUUID(),
    userId,
    provider: 'corp',
    subject: uniqueName('sub'),
    email: null,
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

export const identityStoreContract: Contract = ({ it }, open) => {
  it('takes a pending authorization once, with its verifier, and answers what was saved', async () => {
    const { s } = await setUp(open);
    const pending = await pendingAuthorization();
    await s.identities.saveAuthorization(pending, T0);
    expect(await s.identities.takeAuthorization(pending.stateDigest, await newDigest(), T0)).toBeNull();
    expect(await s.identities.takeAuthorization(pending.stateDigest, pending.verifierDigest, T0)).toEqual(pending);
    expect(await s.identities.takeAuthorization(pending.stateDigest, pending.verifierDigest, T0)).toBeNull();
  });

  it('gives one of ten parallel takes the pending authorization', async () => {
    const { s } = await setUp(open);
    const pending = await pendingAuthorization();
    await s.identities.saveAuthorization(pending, T0);
    const taken = await Promise.all(
      Array.from({ length: 10 }, () => s.identities.takeAuthorization(pending.stateDigest, pending.verifierDigest, T0)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('finds nothing to take once the authorization has expired', async () => {
    const { s } = await setUp(open);
    const pending = await pendingAuthorization();
    await s.identities.saveAuthorization(pending, T0);
    expect(
      await s.identities.takeAuthorization(pending.stateDigest, pending.verifierDigest, pending.expiresAt),
    ).toBeNull();
  });

  it('links an identity once: a second link of it, to anyone, is a conflict', async () => {
    const { s } = await setUp(open);
    const [alice, bob] = [await createUser(s), await createUser(s)];
    const identity = identityOf(alice.id, { email: 'alice@idp.example' });
    expect(await s.identities.link(identity)).toEqual({ ok: true });
    expect(await s.identities.link(identityOf(bob.id, { subject: identity.subject }))).toEqual({
      ok: false,
      conflict: 'identity',
    });
    expect(await s.identities.findIdentity('corp', identity.subject)).toEqual(identity);
    expect(await s.identities.listIdentities(alice.id)).toEqual([identity]);
    expect(await s.identities.listIdentities(bob.id)).toEqual([]);
  });

  it('links one of parallel links of the same identity', async () => {
    const { s } = await setUp(open);
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(s)));
    const subject = uniqueName('sub');
    const results = await Promise.all(users.map((user) => s.identities.link(identityOf(user.id, { subject }))));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('creates a passwordless account with its identity together, or nothing', async () => {
    const { s } = await setUp(open);
    const input = { ...newUserInput({ passwordHash: null }), emailVerified: true };
    const identity = identityOf(input.id);
    const created = await s.identities.createUserWithIdentity(input, identity);
    expect(created).toMatchObject({ ok: true, user: { id: input.id, emailVerifiedAt: T0 } });
    const found = await s.users.findWithCredential({ email: input.email });
    expect(found?.credential.passwordHash).toBeNull();
    expect(await s.identities.findIdentity('corp', identity.subject)).toEqual(identity);

    // The same identity again: refused, and the second account is not left behind.
    const again = { ...newUserInput({ passwordHash: null }), emailVerified: false };
    expect(
      await s.identities.createUserWithIdentity(again, identityOf(again.id, { subject: identity.subject })),
    ).toEqual({
      ok: false,
      conflict: 'identity',
    });
    expect(await s.users.findById(again.id)).toBeNull();
    const taken = { ...newUserInput({ passwordHash: null, email: input.email }), emailVerified: false };
    expect(await s.identities.createUserWithIdentity(taken, identityOf(taken.id))).toEqual({
      ok: false,
      conflict: 'email',
    });
  });

  it('refuses to unlink the last way in, and unlinks when a password, passkey or other identity remains', async () => {
    const { s } = await setUp(open);
    const input = { ...newUserInput({ passwordHash: null }), emailVerified: true };
    const only = identityOf(input.id);
    await s.identities.createUserWithIdentity(input, only);
    expect(await s.identities.unlink(input.id, only.id)).toBe('last_way_in');
    expect(await s.identities.unlink(input.id, 'no-such-identity')).toBe('not_found');

    const other = identityOf(input.id, { provider: 'other' });
    await s.identities.link(other);
    expect(await s.identities.unlink(input.id, only.id)).toBe('unlinked');
    expect(await s.identities.unlink(input.id, other.id)).toBe('last_way_in');
    expect(await s.passkeys.add(newPasskey(input.id))).toBe(true);
    expect(await s.identities.unlink(input.id, other.id)).toBe('unlinked');

    const withPassword = await createUser(s);
    const linked = identityOf(withPassword.id);
    await s.identities.link(linked);
    expect(await s.identities.unlink(await createUser(s).then((u) => u.id), linked.id)).toBe('not_found');
    expect(await s.identities.unlink(withPassword.id, linked.id)).toBe('unlinked');
  });

  it('keeps one of the last two identities when both are unlinked in parallel', async () => {
    const { s } = await setUp(open);
    const input = { ...newUserInput({ passwordHash: null }), emailVerified: true };
    const first = identityOf(input.id);
    await s.identities.createUserWithIdentity(input, first);
    const second = identityOf(input.id, { provider: 'other' });
    await s.identities.link(second);
    const results = await Promise.all([
      s.identities.unlink(input.id, first.id),
      s.identities.unlink(input.id, second.id),
    ]);
    expect(results.sort()).toEqual(['last_way_in', 'unlinked']);
    expect(await s.identities.listIdentities(input.id)).toHaveLength(1);
  });

  it('records its events with the writes that happened, and none with those that did not', async () => {
    const { s } = await setUp(open);
    const input = { ...newUserInput({ passwordHash: null }), emailVerified: true };
    const first = identityOf(input.id);
    const created = newEvent('user.created', input, T0, { method: 'oauth' });
    const linked = newEvent('identity.linked', input, T0, { identityId: first.id });
    await s.identities.createUserWithIdentity(input, first, [created, linked]);
    const clash = { ...newUserInput({ passwordHash: null }), emailVerified: true };
    const lost = newEvent('user.created', clash, T0);
    await s.identities.createUserWithIdentity(clash, identityOf(clash.id, { subject: first.subject }), [lost]);
    expect(await s.events.find(lost.id)).toBeNull();

    const refused = newEvent('identity.unlinked', input, T0 + 1, { identityId: first.id });
    expect(await s.identities.unlink(input.id, first.id, refused)).toBe('last_way_in');
    const second = identityOf(input.id, { provider: 'other' });
    const secondLinked = newEvent('identity.linked', input, T0 + 2, { identityId: second.id });
    await s.identities.link(second, secondLinked);
    const duplicate = newEvent('identity.linked', input, T0 + 2, { identityId: second.id });
    await s.identities.link({ ...second, id: crypto.randomUUID() }, duplicate);
    const unlinked = newEvent('identity.unlinked', input, T0 + 3, { identityId: first.id });
    expect(await s.identities.unlink(input.id, first.id, unlinked)).toBe('unlinked');
    const recorded = (await s.events.listForUser(input.id, 0, 10)).map((event) => event.id).sort();
    expect(recorded).toEqual([created.id, linked.id, secondLinked.id, unlinked.id].sort());
  });

  it('records when an identity was last used, and forgets identities with their account', async () => {
    const { s } = await setUp(open);
    const user = await createUser(s);
    const identity = identityOf(user.id);
    await s.identities.link(identity);
    await s.identities.markUsed(identity.id, T0 + MINUTE);
    expect((await s.identities.findIdentity('corp', identity.subject))?.lastUsedAt).toBe(T0 + MINUTE);
    const pending = await pendingAuthorization({ linkUserId: user.id });
    await s.identities.saveAuthorization(pending, T0);
    expect(await s.users.delete(user.id)).toBe(true);
    expect(await s.identities.findIdentity('corp', identity.subject)).toBeNull();
    expect(await s.identities.takeAuthorization(pending.stateDigest, pending.verifierDigest, T0)).toBeNull();
  });
};
