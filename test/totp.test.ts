import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from '../src/core/kit/base32';
import {
  TOTP_SECRET_BYTES,
  generateTotpCode,
  generateTotpSecret,
  parseTotpCode,
  totpKeyUri,
  totpTimeStep,
  verifyTotpCode,
} from '../src/core/mfa/totp';

// RFC 6238 appendix B: the SHA-1 seed, and the 8-digit values cut to their last 6 digits.
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];
const T = 1111111111_000; // a time in ms, step 37037037
const PERIOD_MS = 30_000;
const fresh = (now: number) => ({ now, lastAcceptedStep: null });

describe('base32', () => {
  it('encodes the RFC 4648 section 10 test vectors without padding', () => {
    const vectors = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'];
    const expected = ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI'];
    expect(vectors.map((text) => encodeBase32(new TextEncoder().encode(text)))).toEqual(expected);
  });

  it('decodes in any letter case and ignores spaces', () => {
    expect(new TextDecoder().decode(decodeBase32('mzxw 6ytb oi')!)).toBe('foobar');
  });

  it('round-trips random secrets', () => {
    const secret = generateTotpSecret();
    expect(decodeBase32(encodeBase32(secret))).toEqual(secret);
  });

  it('refuses characters outside the alphabet, padding and impossible lengths', () => {
    for (const text of ['MZXW6YT1', 'MZXW6YTBOI======', 'MZX', 'M', 'MZXW6Y', 'MZ-XW']) {
      expect(decodeBase32(text), text).toBeNull();
    }
  });

  it('refuses non-zero trailing bits, so each secret has one spelling', () => {
    expect(decodeBase32('MZ')).toBeNull();
    expect(decodeBase32('MY')).toEqual(new TextEncoder().encode('f'));
  });
});

describe('TOTP codes', () => {
  it('matches the RFC 6238 appendix B SHA-1 test vectors', async () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(await generateTotpCode(RFC_SECRET, totpTimeStep(seconds * 1000)), String(seconds)).toBe(code);
    }
  });

  it('verifies every RFC 6238 test vector at its own time, returning its step', async () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(await verifyTotpCode(RFC_SECRET, code, fresh(seconds * 1000))).toBe(Math.floor(seconds / 30));
    }
  });

  it('makes 160-bit secrets that differ each time', () => {
    const first = generateTotpSecret();
    expect(first).toHaveLength(TOTP_SECRET_BYTES);
    expect(first).not.toEqual(generateTotpSecret());
  });

  it('accepts the code of one step before or after now, for clock drift', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    expect(await verifyTotpCode(RFC_SECRET, code, fresh(T - PERIOD_MS))).toBe(totpTimeStep(T));
    expect(await verifyTotpCode(RFC_SECRET, code, fresh(T + PERIOD_MS))).toBe(totpTimeStep(T));
  });

  it('refuses the code of two steps before or after now', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    expect(await verifyTotpCode(RFC_SECRET, code, fresh(T - 2 * PERIOD_MS))).toBeNull();
    expect(await verifyTotpCode(RFC_SECRET, code, fresh(T + 2 * PERIOD_MS))).toBeNull();
  });

  it('refuses a replayed code: its step is not later than the last accepted one', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    const step = await verifyTotpCode(RFC_SECRET, code, fresh(T));
    expect(step).toBe(totpTimeStep(T));
    expect(await verifyTotpCode(RFC_SECRET, code, { now: T, lastAcceptedStep: step })).toBeNull();
    expect(await verifyTotpCode(RFC_SECRET, code, { now: T + PERIOD_MS, lastAcceptedStep: step })).toBeNull();
  });

  it('refuses an earlier step once a later one was accepted', async () => {
    const previous = await generateTotpCode(RFC_SECRET, totpTimeStep(T) - 1);
    expect(await verifyTotpCode(RFC_SECRET, previous, { now: T, lastAcceptedStep: totpTimeStep(T) })).toBeNull();
  });

  it('accepts the next step after an accepted one', async () => {
    const next = await generateTotpCode(RFC_SECRET, totpTimeStep(T) + 1);
    const options = { now: T + PERIOD_MS, lastAcceptedStep: totpTimeStep(T) };
    expect(await verifyTotpCode(RFC_SECRET, next, options)).toBe(totpTimeStep(T) + 1);
  });

  it('refuses a wrong code and a code of another secret', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await verifyTotpCode(RFC_SECRET, wrong, fresh(T))).toBeNull();
    expect(await verifyTotpCode(generateTotpSecret(), code, fresh(T))).toBeNull();
  });

  it('refuses malformed codes', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    const malformed = ['', code.slice(1), `${code}0`, `${code.slice(0, 5)}a`, ` ${code}\n`, `+${code.slice(1)}`];
    malformed.push('١٢٣٤٥٦', `${code.slice(0, 3)}-${code.slice(3)}`);
    for (const input of malformed) {
      expect(await verifyTotpCode(RFC_SECRET, input, fresh(T)), JSON.stringify(input)).toBeNull();
    }
  });

  it('accepts a code typed with spaces, as apps display it', async () => {
    const code = await generateTotpCode(RFC_SECRET, totpTimeStep(T));
    expect(parseTotpCode(` ${code.slice(0, 3)} ${code.slice(3)} `)).toBe(code);
    expect(await verifyTotpCode(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, fresh(T))).toBe(totpTimeStep(T));
  });
});

describe('otpauth URI', () => {
  it('carries the base32 secret, issuer and the fixed parameters', () => {
    const uri = totpKeyUri({ issuer: 'Latchkey', accountName: 'ada', secret: RFC_SECRET });
    expect(uri).toBe(
      'otpauth://totp/Latchkey:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Latchkey&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('percent-encodes the issuer and account, colons and spaces included', () => {
    const uri = totpKeyUri({ issuer: 'Acme: Auth & Co', accountName: 'ada lovelace+1@x.io', secret: RFC_SECRET });
    const [label, query] = uri.slice('otpauth://totp/'.length).split('?') as [string, string];
    expect(label).toBe('Acme%3A%20Auth%20%26%20Co:ada%20lovelace%2B1%40x.io');
    const params = new URLSearchParams(query);
    expect(params.get('issuer')).toBe('Acme: Auth & Co');
    expect(decodeBase32(params.get('secret')!)).toEqual(RFC_SECRET);
  });
});
