import { describe, expect, it } from 'vitest';
import {
  WORKERS_PBKDF2_MAX_ITERATIONS,
  hashPassword,
  passwordHashNeedsUpgrade,
  verifyAgainstDummyHash,
  verifyPassword,
} from '../src/core/passwords/password';

describe('password hashing', () => {
  it('stores a self-describing hash with a 16-byte salt', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('reads the iteration count from the stored hash', async () => {
    const cheap = await hashPassword('correct horse battery', { iterations: 1000 });
    expect(cheap).toContain('$i=1000$');
    expect(await verifyPassword('correct horse battery', cheap)).toBe(true);
    expect(passwordHashNeedsUpgrade(cheap)).toBe(true);
    expect(passwordHashNeedsUpgrade(await hashPassword('correct horse battery'))).toBe(false);
  });

  it('refuses to create a hash above the Workers cap', async () => {
    await expect(
      hashPassword('correct horse battery', { iterations: WORKERS_PBKDF2_MAX_ITERATIONS + 1 }),
    ).rejects.toThrow(RangeError);
  });

  it('treats malformed stored hashes as non-matching', async () => {
    for (const stored of [
      '',
      'plain',
      '$pbkdf2-sha256$i=1000$$',
      '$bcrypt$i=1000$AAAA$AAAA',
      '$pbkdf2-sha256$i=0$AAAAAAAAAAA$AAAA',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });

  it('runs a full-cost derivation for unknown users and never matches', async () => {
    expect(await verifyAgainstDummyHash('correct horse battery')).toBe(false);
  });
});
