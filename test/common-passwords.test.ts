import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORD_COUNT } from '../src/core/common-passwords.data';
import { decodeCommonPasswords, isCommonPassword, listCommonPasswords } from '../src/core/common-passwords';

describe('common password list', () => {
  it('holds at least 10,000 distinct entries', () => {
    expect(listCommonPasswords().size).toBe(COMMON_PASSWORD_COUNT);
    expect(listCommonPasswords().size).toBeGreaterThanOrEqual(10_000);
  });

  it('holds only entries that the length rule would otherwise let through', () => {
    for (const entry of listCommonPasswords()) expect([...entry].length).toBeGreaterThanOrEqual(8);
  });

  it('is exactly the most frequent source entries of 8+ code points, as the generator says', () => {
    // Guards against a hand edit of the generated module or a source upgrade without regenerating.
    const longEnough = dictionary['passwords-common']!
      .map((entry) => entry.normalize('NFC').toLowerCase())
      .filter((entry) => [...entry].length >= 8);
    const expected = [...new Set(longEnough)].slice(0, COMMON_PASSWORD_COUNT);
    expect([...listCommonPasswords()].sort()).toEqual(expected.sort());
  });

  it('knows the best-known passwords of 8 characters or more', () => {
    for (const password of ['password', '12345678', 'password1', 'iloveyou', 'iloveyou1', 'qwertyuiop', '1qaz2wsx', 'trustno1']) {
      expect(isCommonPassword(password)).toBe(true);
    }
  });

  it('matches without regard to case', () => {
    expect(isCommonPassword('TrustNo1')).toBe(true);
  });

  it('does not flag an uncommon password', () => {
    expect(isCommonPassword('violet tractor sings')).toBe(false);
  });

  it('decodes front-coded lines by reusing the shared prefix of the line above', () => {
    expect([...decodeCommonPasswords('0password\n81\n4kit\n0zebra\n')]).toEqual(['password', 'password1', 'passkit', 'zebra']);
  });
});
