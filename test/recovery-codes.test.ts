import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../src/core/kit/base32';
import { sha256, bytesToBase64Url } from '../src/core/kit/encoding';
import {
  RECOVERY_CODE_COUNT,
  createRecoveryCodes,
  digestRecoveryCode,
  generateRecoveryCode,
  normalizeRecoveryCode,
} from '../src/core/mfa/recovery-codes';

describe('recovery codes', () => {
  it('makes ten distinct codes per set', async () => {
    const { codes } = await createRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
  });

  it('shows each code as six hyphenated groups of four base32 characters (120 bits)', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
    expect(decodeBase32(code.replaceAll('-', ''))).toHaveLength(15);
  });

  it('stores only digests: SHA-256 of the canonical form, never the code', async () => {
    const { codes, digests } = await createRecoveryCodes();
    expect(digests).toHaveLength(codes.length);
    for (const [i, code] of codes.entries()) {
      expect(digests[i]).toBe(bytesToBase64Url(await sha256(code.replaceAll('-', ''))));
    }
  });

  it('accepts a code in any letter case, with or without separators and spaces', async () => {
    const code = generateRecoveryCode();
    const stored = await digestRecoveryCode(code);
    const compact = code.replaceAll('-', '');
    const variants = [compact, compact.toLowerCase(), code.toLowerCase(), ` ${code.replaceAll('-', ' ')} `];
    variants.push(`${compact.slice(0, 12)}\t${compact.slice(12)}`);
    for (const variant of variants) {
      expect(normalizeRecoveryCode(variant), variant).toBe(compact);
      expect(await digestRecoveryCode(variant), variant).toBe(stored);
    }
  });

  it('refuses input that cannot be a code', async () => {
    const code = generateRecoveryCode();
    const malformed = ['', code.slice(0, -1), `${code}A`, code.replace(/[A-Z2-7]$/, '1'), code.replace(/-/, '_')];
    malformed.push('123456');
    for (const input of malformed) {
      expect(normalizeRecoveryCode(input), input).toBeNull();
      expect(await digestRecoveryCode(input), input).toBeNull();
    }
  });

  it('gives a different digest for a different code', async () => {
    expect(await digestRecoveryCode(generateRecoveryCode())).not.toBe(await digestRecoveryCode(generateRecoveryCode()));
  });
});
