// The TOTP secret's re-encryption after a key rotation, against the real local D1 and the memory
// store: the new ciphertext replaces the stored one only while the row still holds what was read.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { MfaStore } from '../src/core/mfa-store';
import type { UserRepository } from '../src/core/users';
import { createD1MfaStore } from '../src/storage/d1-mfa-store';
import { createD1UserRepository } from '../src/storage/d1-user-repository';
import { createMemoryStorage } from '../src/storage/memory';
import { uniqueIdentity } from './support/harness';

const memory = createMemoryStorage({ now: () => Date.now() });
const stores: Array<[string, { mfa: MfaStore; users: UserRepository }]> = [
  ['D1', { mfa: createD1MfaStore(env.DB), users: createD1UserRepository(env.DB) }],
  ['memory', memory],
];

describe.each(stores)('%s mfa store', (_name, { mfa, users }) => {
  async function userWithFactor(secretCiphertext: string) {
    const identity = uniqueIdentity('mfa-store');
    const id = crypto.randomUUID();
    const now = Date.now();
    await users.create({ ...identity, id, passwordHash: 'x', displayName: null, now });
    expect(await mfa.savePendingTotp(id, secretCiphertext, now)).toBe(true);
    expect(
      await mfa.enableTotp({
        userId: id,
        secretCiphertext,
        acceptedStep: 1,
        recoveryCodeDigests: [],
        keepSessionId: 'none',
        now,
      }),
    ).toBe(true);
    return id;
  }

  it('replaces the secret only while it is still the one that was read', async () => {
    const userId = await userWithFactor('v1.old');
    expect(await mfa.reencryptTotpSecret(userId, 'v1.other', 'v2.new')).toBe(false);
    expect((await mfa.findTotpFactor(userId))!.secretCiphertext).toBe('v1.old');
    expect(await mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.new')).toBe(true);
    expect((await mfa.findTotpFactor(userId))!.secretCiphertext).toBe('v2.new');
    // A second request that read the old secret too loses.
    expect(await mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.newer')).toBe(false);
  });

  it('does not touch a factor that was removed meanwhile', async () => {
    const userId = await userWithFactor('v1.old');
    await mfa.disableTotp(userId, 'none');
    expect(await mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.new')).toBe(false);
    expect(await mfa.findTotpFactor(userId)).toBeNull();
  });
});
