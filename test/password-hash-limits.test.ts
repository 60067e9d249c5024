import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PBKDF2_ITERATIONS,
  WORKERS_PBKDF2_MAX_ITERATIONS,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from '../src/core/passwords/password';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('password hash limits and normalisation', () => {
  it('keeps the configured PBKDF2 cost within what production Workers accept', () => {
    // Local workerd runs any count; production refuses more than 100,000 and every login fails.
    expect(WORKERS_PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(WORKERS_PBKDF2_MAX_ITERATIONS);
  });

  it('refuses a stored hash asking for more than 100,000 iterations before any derivation', async () => {
    const stored = await hashPassword('correct horse battery', { iterations: 1000 });
    const overCap = stored.replace('$i=1000$', '$i=100001$');
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits');
    expect(parsePasswordHash(overCap)).toBeNull();
    expect(await verifyPassword('correct horse battery', overCap)).toBe(false);
    expect(deriveBits).not.toHaveBeenCalled();
  });

  it('refuses an over-cap stored hash that names a pepper, too', async () => {
    const stored = await hashPassword('correct horse battery', {
      iterations: 1000,
      pepper: { version: 1, secret: 'pepper-one-0123456789abcdefghijklmnopqrstuv' },
    });
    expect(parsePasswordHash(stored.replace('$i=1000,', '$i=100001,'))).toBeNull();
  });

  it('verifies a password typed in decomposed form (NFD) against a hash of the composed form (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait!', { iterations: 1000 });
    expect(await verifyPassword('cafe\u0301 au lait!', stored)).toBe(true);
  });

  it('normalises before the pepper too, so NFD still verifies a peppered NFC hash', async () => {
    const pepper = { version: 1, secret: 'pepper-one-0123456789abcdefghijklmnopqrstuv' };
    const stored = await hashPassword('caf\u00e9 au lait!', { iterations: 1000, pepper });
    expect(await verifyPassword('cafe\u0301 au lait!', stored, new Map([[1, pepper.secret]]))).toBe(true);
  });
});
