// PasskeyStore (src/core/passkeys/passkey-store.ts): a credential id registered once, a challenge taken
// once (of its ceremony, before it expires, by its own user), a signature counter moved only from
// the value read.
import { expect } from 'vitest';
import { MINUTE, T0, createUser, newPasskey, newPasskeyChallenge, setUp } from './fixtures';
import type { Contract } from './suite';

export const passkeyStoreContract: Contract = ({ describe, it }, open) => {
  describe('user handles', () => {
    it("keeps the first handle made for a user, whatever is offered later, and each user's apart", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      expect(await s.passkeys.ensureUserHandle(user.id, 'handle-a')).toBe('handle-a');
      expect(await s.passkeys.ensureUserHandle(user.id, 'handle-b')).toBe('handle-a');
      expect(await s.passkeys.ensureUserHandle(other.id, 'handle-c')).toBe('handle-c');
    });
  });

  describe('registering passkeys', () => {
    it("stores a passkey as given and lists the user's own, oldest first", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const newer = newPasskey(user.id, { createdAt: T0 + 2, transports: ['usb'], backedUp: true, signCount: 5 });
      const older = newPasskey(user.id, {
        createdAt: T0 + 1,
        name: 'Phone',
        lastUsedAt: T0 + 1,
        backupEligible: false,
      });
      for (const passkey of [newer, older, newPasskey(other.id)]) expect(await s.passkeys.add(passkey)).toBe(true);
      expect(await s.passkeys.listForUser(user.id)).toEqual([older, newer]);
      expect(await s.passkeys.listForUser(crypto.randomUUID())).toEqual([]);
    });

    it('lists passkeys registered at the same moment in the order of their ids', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const passkeys = ['pk-c', 'pk-a', 'pk-b'].map((suffix) => newPasskey(user.id, { id: `${user.id}-${suffix}` }));
      for (const passkey of passkeys) await s.passkeys.add(passkey);
      expect((await s.passkeys.listForUser(user.id)).map((passkey) => passkey.id)).toEqual(
        passkeys.map((passkey) => passkey.id).sort(),
      );
    });

    it('refuses a credential id already registered, to anyone, and writes nothing', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const first = newPasskey(user.id);
      expect(await s.passkeys.add(first)).toBe(true);
      const again = newPasskey(other.id, { credentialId: first.credentialId });
      expect(await s.passkeys.add(again)).toBe(false);
      expect(await s.passkeys.listForUser(other.id)).toEqual([]);
      expect((await s.passkeys.findByCredentialId(first.credentialId))?.passkey).toEqual(first);
    });

    it("finds a passkey by credential id with its owner and the owner's credential version", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s, { displayName: 'Ada' });
      const passkey = newPasskey(user.id);
      await s.passkeys.add(passkey);
      expect(await s.passkeys.findByCredentialId(passkey.credentialId)).toEqual({
        passkey,
        owner: { user, credentialVersion: 0 },
      });
      await s.users.replacePassword({ userId: user.id, expectedVersion: 0, passwordHash: 'new', now: T0 });
      expect((await s.passkeys.findByCredentialId(passkey.credentialId))?.owner.credentialVersion).toBe(1);
      expect(await s.passkeys.findByCredentialId('no-such-credential')).toBeNull();
    });
  });

  describe('challenges', () => {
    it('hands a challenge out once, as it was saved', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const challenge = newPasskeyChallenge({ ceremony: 'registration', userId: user.id, userHandle: 'handle-a' });
      await s.passkeys.saveChallenge(challenge);
      expect(await s.passkeys.takeChallenge(challenge.id, 'registration', T0, user.id)).toEqual(challenge);
      expect(await s.passkeys.takeChallenge(challenge.id, 'registration', T0, user.id)).toBeNull();
    });

    it('refuses a challenge of the other ceremony, of another user, or expired, and keeps it', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const challenge = newPasskeyChallenge({
        ceremony: 'registration',
        userId: user.id,
        expiresAt: T0 + MINUTE,
      });
      await s.passkeys.saveChallenge(challenge);
      expect(await s.passkeys.takeChallenge(challenge.id, 'authentication', T0, user.id)).toBeNull();
      expect(await s.passkeys.takeChallenge(challenge.id, 'registration', T0, other.id)).toBeNull();
      expect(await s.passkeys.takeChallenge(challenge.id, 'registration', T0 + MINUTE, user.id)).toBeNull();
      expect(await s.passkeys.takeChallenge(challenge.id, 'registration', T0 + MINUTE - 1, user.id)).toEqual(challenge);
      expect(await s.passkeys.takeChallenge('no-such-challenge', 'registration', T0)).toBeNull();
    });

    it('hands a sign-in challenge to whoever presents it, and refuses it to a named user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const signIn = newPasskeyChallenge();
      await s.passkeys.saveChallenge(signIn);
      expect(await s.passkeys.takeChallenge(signIn.id, 'authentication', T0, user.id)).toBeNull();
      expect(await s.passkeys.takeChallenge(signIn.id, 'authentication', T0)).toEqual(signIn);
    });

    it('gives a challenge to exactly one of several parallel requests', async () => {
      const { s } = await setUp(open);
      const challenge = newPasskeyChallenge();
      await s.passkeys.saveChallenge(challenge);
      const taken = await Promise.all(
        Array.from({ length: 5 }, () => s.passkeys.takeChallenge(challenge.id, 'authentication', T0)),
      );
      expect(taken.filter((found) => found !== null)).toHaveLength(1);
    });
  });

  describe('using and managing passkeys', () => {
    it('moves the signature counter only from the value read, recording the use', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const passkey = newPasskey(user.id, { signCount: 3 });
      await s.passkeys.add(passkey);
      const use = (seenSignCount: number, signCount: number, now: number) =>
        s.passkeys.recordUse({ id: passkey.id, seenSignCount, signCount, backedUp: true, now });
      expect(await use(3, 4, T0 + 1)).toBe(true);
      expect(await use(3, 5, T0 + 2)).toBe(false);
      expect((await s.passkeys.listForUser(user.id))[0]).toEqual({
        ...passkey,
        signCount: 4,
        backedUp: true,
        lastUsedAt: T0 + 1,
      });
      expect(
        await s.passkeys.recordUse({ id: 'no-such-passkey', seenSignCount: 0, signCount: 1, backedUp: false, now: T0 }),
      ).toBe(false);
    });

    it('lets one of several parallel uses from one counter value win', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const passkey = newPasskey(user.id, { signCount: 0 });
      await s.passkeys.add(passkey);
      const moved = await Promise.all(
        [1, 2, 3, 4].map((signCount) =>
          s.passkeys.recordUse({ id: passkey.id, seenSignCount: 0, signCount, backedUp: false, now: T0 }),
        ),
      );
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect((await s.passkeys.listForUser(user.id))[0]?.signCount).toBe(moved.indexOf(true) + 1);
    });

    it("renames and removes a user's own passkey, and not another user's", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const passkey = newPasskey(user.id);
      await s.passkeys.add(passkey);
      expect(await s.passkeys.rename(other.id, passkey.id, 'Stolen')).toBeNull();
      expect(await s.passkeys.remove(other.id, passkey.id)).toBeNull();
      expect(await s.passkeys.rename(user.id, passkey.id, 'Work laptop')).toEqual({ ...passkey, name: 'Work laptop' });
      expect(await s.passkeys.listForUser(user.id)).toEqual([{ ...passkey, name: 'Work laptop' }]);
      expect(await s.passkeys.remove(user.id, passkey.id)).toEqual({ ...passkey, name: 'Work laptop' });
      expect(await s.passkeys.listForUser(user.id)).toEqual([]);
      expect(await s.passkeys.findByCredentialId(passkey.credentialId)).toBeNull();
      expect(await s.passkeys.remove(user.id, passkey.id)).toBeNull();
      expect(await s.passkeys.rename(user.id, passkey.id, 'Gone')).toBeNull();
    });
  });
};
