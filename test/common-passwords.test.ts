import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import commonPasswordAsset from '../public/common-passwords.json' with { type: 'json' };
import { commonPasswordsOf } from '../src/core/passwords/common-passwords';
import { decodeGolombCodedSet, encodeGolombCodedSet } from '../src/core/passwords/common-passwords-gcs';

/** The static asset the Worker reads through its ASSETS binding, as the memory loader gives it. */
const { source: _source, ...commonPasswordSet } = commonPasswordAsset;
const commonPasswords = commonPasswordsOf(commonPasswordSet);
const isCommonPassword = (password: string) => commonPasswords.has(password);

/** What scripts/build-common-passwords.mjs selects: the 10,000 most frequent of 8+ code points. */
function sourceEntries(): string[] {
  const longEnough = dictionary['passwords-common']!.map((entry) => entry.normalize('NFC').toLowerCase()).filter(
    (entry) => [...entry].length >= 8,
  );
  return [...new Set(longEnough)].slice(0, 10_000);
}

function randomPassword(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => alphabet[byte % alphabet.length]).join(
    '',
  );
}

describe('common password list', () => {
  it('refuses every one of the 10,000 source entries', () => {
    const entries = sourceEntries();
    expect(entries).toHaveLength(10_000);
    expect(entries.filter((entry) => !isCommonPassword(entry))).toEqual([]);
  });

  it('is a fresh build of the source entries, at a false-positive rate of 1 in 32,768', () => {
    // Guards against a hand edit of the generated module, a source upgrade without regenerating,
    // or a change to the hash or the encoding without rebuilding the data.
    expect(commonPasswordSet).toEqual(encodeGolombCodedSet(sourceEntries(), 15));
  });

  it('knows the best-known passwords of 8 characters or more', () => {
    for (const password of [
      'password',
      '12345678',
      'password1',
      'iloveyou',
      'iloveyou1',
      'qwertyuiop',
      '1qaz2wsx',
      'trustno1',
    ]) {
      expect(isCommonPassword(password)).toBe(true);
    }
  });

  it('matches without regard to case', () => {
    expect(isCommonPassword('TrustNo1')).toBe(true);
  });

  it('does not flag an uncommon password', () => {
    expect(isCommonPassword('violet tractor sings')).toBe(false);
  });

  it('flags almost none of 1,000 random 20-character passwords', () => {
    // Expected false positives: 1,000 / 32,768, about 0.03; three or more has odds of about 5e-6.
    const flagged = Array.from({ length: 1_000 }, () => randomPassword(20)).filter(isCommonPassword);
    expect(flagged.length, `flagged: ${flagged.join(', ')}`).toBeLessThanOrEqual(2);
  });

  it('reports how long decoding the set takes (informational, no assertion on time)', () => {
    // The local workerd clock ticks in whole milliseconds, so the steady cost is averaged over
    // many runs; the first run includes compiling the decoder, as the first check in an isolate does.
    const runs = 200;
    let start = performance.now();
    decodeGolombCodedSet(commonPasswordSet);
    const first = performance.now() - start;
    start = performance.now();
    for (let run = 0; run < runs; run++) decodeGolombCodedSet(commonPasswordSet);
    const average = (performance.now() - start) / runs;
    console.log(
      `decoding ${commonPasswordSet.count} entries: first ${first} ms, then ${average.toFixed(2)} ms on average`,
    );
    expect(average).toBeGreaterThanOrEqual(0);
  });
});

describe('Golomb-coded set', () => {
  it('finds every member and no obvious non-member', () => {
    const set = decodeGolombCodedSet(encodeGolombCodedSet(['alpha', 'beta', 'gamma'], 16));
    expect(['alpha', 'beta', 'gamma'].map((entry) => set.has(entry))).toEqual([true, true, true]);
    expect(set.has('delta')).toBe(false);
    expect(set.has('')).toBe(false);
  });

  it('decodes the hashes in ascending order', () => {
    const { values } = decodeGolombCodedSet(encodeGolombCodedSet(['zeta', 'eta', 'theta', 'iota'], 8));
    expect([...values]).toEqual([...values].sort((a, b) => a - b));
  });

  it('keeps entries whose hashes collide, as a delta of zero', () => {
    const set = decodeGolombCodedSet(encodeGolombCodedSet(['same', 'same'], 16));
    expect(set.values).toHaveLength(2);
    expect(set.values[0]).toBe(set.values[1]);
    expect(set.has('same')).toBe(true);
  });

  it('refuses data in a format it does not know', () => {
    const set = encodeGolombCodedSet(['alpha'], 16);
    expect(() => decodeGolombCodedSet({ ...set, format: set.format + 1 })).toThrow(/format/);
  });

  it('refuses a range wider than the 32-bit hash', () => {
    const entries = Array.from({ length: 2 ** 16 + 1 }, (_, index) => String(index));
    expect(() => encodeGolombCodedSet(entries, 16)).toThrow(RangeError);
  });
});
