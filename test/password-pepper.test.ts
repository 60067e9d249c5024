import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  hashPassword,
  parsePasswordHash,
  passwordHashNeedsUpgrade,
  verifyPassword,
} from '../src/core/passwords/password';
import { createPasswordPeppers } from '../src/core/passwords/password-pepper';

const PEPPER_1 = 'pepper-one-0123456789abcdefghijklmnopqrstuv';
const PEPPER_2 = 'pepper-two-0123456789abcdefghijklmnopqrstuv';
const cheap = { iterations: 1000 };
const withPepper = (version: number, secret: string) => ({ ...cheap, pepper: { version, secret } });
const peppers = (entries: [number, string][]) => new Map(entries);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('password pepper', () => {
  it('records the pepper version in the hash and verifies with that pepper', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=1000,pv=1\$/);
    expect(parsePasswordHash(stored)?.pepperVersion).toBe(1);
    expect(await verifyPassword('correct horse battery', stored, peppers([[1, PEPPER_1]]))).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored, peppers([[1, PEPPER_1]]))).toBe(false);
  });

  it('mixes the pepper into the hash: the same hash without its pv marker never verifies', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    const unmarked = stored.replace(',pv=1$', '$');
    expect(await verifyPassword('correct horse battery', unmarked, peppers([[1, PEPPER_1]]))).toBe(false);
  });

  it('never verifies a hash whose pepper version is not configured', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(2, PEPPER_2));
    expect(await verifyPassword('correct horse battery', stored, peppers([[1, PEPPER_1]]))).toBe(false);
    expect(await verifyPassword('correct horse battery', stored)).toBe(false);
  });

  it('uses the pepper of the recorded version, not any configured one', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    const relabelled = stored.replace(',pv=1$', ',pv=2$');
    const both = peppers([
      [1, PEPPER_1],
      [2, PEPPER_2],
    ]);
    expect(await verifyPassword('correct horse battery', stored, both)).toBe(true);
    expect(await verifyPassword('correct horse battery', relabelled, both)).toBe(false);
  });

  it('never verifies with a wrong secret under the right version', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    expect(await verifyPassword('correct horse battery', stored, peppers([[1, PEPPER_2]]))).toBe(false);
  });

  it('spends a full derivation on a hash whose pepper is missing, like a wrong password', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(2, PEPPER_2));
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits');
    expect(await verifyPassword('correct horse battery', stored, peppers([[1, PEPPER_1]]))).toBe(false);
    expect(deriveBits).toHaveBeenCalledTimes(1);
    expect(deriveBits.mock.calls[0]![0]).toMatchObject({ name: 'PBKDF2', iterations: 1000 });
  });

  it('still verifies an unpeppered hash once a pepper is configured', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    expect(await verifyPassword('correct horse battery', stored, peppers([[1, PEPPER_1]]))).toBe(true);
  });

  it('asks to re-hash an unpeppered hash when a pepper is configured', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    expect(passwordHashNeedsUpgrade(stored, cheap)).toBe(false);
    expect(passwordHashNeedsUpgrade(stored, withPepper(1, PEPPER_1))).toBe(true);
  });

  it('asks to re-hash a hash made with an older pepper version, and not one made with the current', async () => {
    const older = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    const current = await hashPassword('correct horse battery', withPepper(2, PEPPER_2));
    expect(passwordHashNeedsUpgrade(older, withPepper(2, PEPPER_2))).toBe(true);
    expect(passwordHashNeedsUpgrade(current, withPepper(2, PEPPER_2))).toBe(false);
  });

  it('imports the HMAC key of a pepper once per isolate', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const secret = 'pepper-cache-0123456789abcdefghijklmnopqrstuv';
    await hashPassword('correct horse battery', withPepper(1, secret));
    await verifyPassword(
      'correct horse battery',
      await hashPassword('other', withPepper(1, secret)),
      peppers([[1, secret]]),
    );
    const hmacImports = importKey.mock.calls.filter(
      ([, , algorithm]) => (algorithm as { name?: string }).name === 'HMAC',
    );
    expect(hmacImports).toHaveLength(1);
  });

  it('refuses to hash with a pepper shorter than 32 characters', async () => {
    await expect(hashPassword('correct horse battery', withPepper(1, 'short'))).rejects.toThrow(RangeError);
  });

  it('treats a stored pepper version of 0 as malformed', async () => {
    const stored = await hashPassword('correct horse battery', withPepper(1, PEPPER_1));
    expect(parsePasswordHash(stored.replace(',pv=1$', ',pv=0$'))).toBeNull();
  });
});

describe('pepper settings', () => {
  it('gives no pepper when none is configured', () => {
    expect(createPasswordPeppers({})).toEqual({ current: undefined, byVersion: new Map() });
  });

  it('puts the current pepper at its version, 1 by default', () => {
    expect(createPasswordPeppers({ current: PEPPER_1 })).toEqual({
      current: { version: 1, secret: PEPPER_1 },
      byVersion: new Map([[1, PEPPER_1]]),
    });
  });

  it('keeps the previous pepper at the version before, so hashes made with it still verify', async () => {
    const before = createPasswordPeppers({ current: PEPPER_1 });
    const stored = await hashPassword('correct horse battery', { ...cheap, pepper: before.current });
    const after = createPasswordPeppers({ current: PEPPER_2, version: 2, previous: PEPPER_1 });
    expect(after.byVersion).toEqual(
      new Map([
        [2, PEPPER_2],
        [1, PEPPER_1],
      ]),
    );
    expect(await verifyPassword('correct horse battery', stored, after.byVersion)).toBe(true);
    expect(passwordHashNeedsUpgrade(stored, { ...cheap, pepper: after.current })).toBe(true);
  });

  it('refuses a pepper shorter than 32 characters', () => {
    expect(() => createPasswordPeppers({ current: 'x'.repeat(31) })).toThrow(RangeError);
  });

  it('refuses a previous pepper without a current one, or with no version before the current', () => {
    expect(() => createPasswordPeppers({ previous: PEPPER_1 })).toThrow(RangeError);
    expect(() => createPasswordPeppers({ current: PEPPER_2, previous: PEPPER_1 })).toThrow(RangeError);
  });

  it('refuses a previous pepper equal to the current one', () => {
    expect(() => createPasswordPeppers({ current: PEPPER_1, version: 2, previous: PEPPER_1 })).toThrow(RangeError);
  });

  it('refuses a version that is not a positive integer', () => {
    expect(() => createPasswordPeppers({ current: PEPPER_1, version: 0 })).toThrow(RangeError);
    expect(() => createPasswordPeppers({ current: PEPPER_1, version: 1.5 })).toThrow(RangeError);
  });
});
