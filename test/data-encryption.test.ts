import { describe, expect, it, vi } from 'vitest';
import {
  createDataEncryptionKeys,
  dataCiphertextNeedsRotation,
  dataCiphertextVersion,
  decryptData,
  encryptData,
  parseDataEncryptionKey,
} from '../src/core/kit/data-encryption';
import { bytesToBase64Url, randomBytes } from '../src/core/kit/encoding';

const newKey = () => bytesToBase64Url(randomBytes(32));
const KEY_1 = newKey();
const KEY_2 = newKey();
const SECRET = new TextEncoder().encode('12345678901234567890');
const ALICE = 'totp-secret:user-alice';
const BOB = 'totp-secret:user-bob';

describe('data encryption keys', () => {
  it('reads a key as 32 bytes in base64url or padded base64', () => {
    const bytes = randomBytes(32);
    const base64 = btoa(String.fromCharCode(...bytes));
    expect(parseDataEncryptionKey(bytesToBase64Url(bytes))).toEqual(bytes);
    expect(parseDataEncryptionKey(`${base64}\n`)).toEqual(bytes);
  });

  it('refuses a key of another length or encoding', () => {
    for (const text of ['', bytesToBase64Url(randomBytes(16)), bytesToBase64Url(randomBytes(33)), 'not a key!']) {
      expect(parseDataEncryptionKey(text), text).toBeNull();
    }
  });

  it('throws at once on settings that would make ciphertexts unreadable, without the key in the message', () => {
    const bad = [
      { current: 'short' },
      { current: KEY_1, version: 0 },
      { current: KEY_1, version: 1_000_000 },
      { current: KEY_1, version: 2, previous: KEY_1 },
      { current: KEY_1, version: 1, previous: KEY_2 },
      { previous: KEY_2 },
    ];
    for (const settings of bad) {
      expect(() => createDataEncryptionKeys(settings), JSON.stringify(settings)).toThrow(RangeError);
    }
    const badKey = `${KEY_1}QQ`;
    expect(() => createDataEncryptionKeys({ current: badKey })).toThrow(/DATA_ENCRYPTION_KEY/);
    expect(() => createDataEncryptionKeys({ current: badKey })).not.toThrow(badKey.slice(0, 12));
  });

  it('has no current version when no key is configured, and then refuses to encrypt', async () => {
    const keys = createDataEncryptionKeys({});
    expect(keys.currentVersion).toBeUndefined();
    await expect(encryptData(keys, SECRET, ALICE)).rejects.toThrow(/no data encryption key/);
  });
});

describe('encrypting data at rest', () => {
  const keys = createDataEncryptionKeys({ current: KEY_1 });

  it('round-trips under the same key and associated data', async () => {
    const ciphertext = await encryptData(keys, SECRET, ALICE);
    expect(await decryptData(keys, ciphertext, ALICE)).toEqual(SECRET);
  });

  it('writes a versioned v<version>.<iv>.<ciphertext> string that does not contain the plaintext', async () => {
    const ciphertext = await encryptData(createDataEncryptionKeys({ current: KEY_1, version: 7 }), SECRET, ALICE);
    expect(ciphertext).toMatch(/^v7\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(dataCiphertextVersion(ciphertext)).toBe(7);
    expect(ciphertext).not.toContain(bytesToBase64Url(SECRET).slice(0, 10));
  });

  it('uses a fresh IV each time: the same plaintext encrypts differently', async () => {
    expect(await encryptData(keys, SECRET, ALICE)).not.toBe(await encryptData(keys, SECRET, ALICE));
  });

  it('refuses a ciphertext under a wrong key of the same version', async () => {
    const ciphertext = await encryptData(keys, SECRET, ALICE);
    expect(await decryptData(createDataEncryptionKeys({ current: KEY_2 }), ciphertext, ALICE)).toBeNull();
  });

  it('refuses a ciphertext copied to another user', async () => {
    const ciphertext = await encryptData(keys, SECRET, ALICE);
    expect(await decryptData(keys, ciphertext, BOB)).toBeNull();
  });

  it('refuses a tampered ciphertext or IV', async () => {
    const ciphertext = await encryptData(keys, SECRET, ALICE);
    const [version, iv, sealed] = ciphertext.split('.') as [string, string, string];
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    expect(await decryptData(keys, [version, iv, flip(sealed, 3)].join('.'), ALICE)).toBeNull();
    expect(await decryptData(keys, [version, iv, flip(sealed, sealed.length - 3)].join('.'), ALICE)).toBeNull();
    expect(await decryptData(keys, [version, flip(iv, 2), sealed].join('.'), ALICE)).toBeNull();
    expect(await decryptData(keys, [version, iv, sealed.slice(0, -4)].join('.'), ALICE)).toBeNull();
  });

  it('refuses malformed ciphertexts', async () => {
    for (const text of [
      '',
      'v1',
      'v1..',
      'v0.AAAA.AAAA',
      '1.AAAAAAAAAAAAAAAA.AAAA',
      'v1.AAAA.AAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(await decryptData(keys, text, ALICE), text).toBeNull();
    }
  });
});

describe('rotating the data encryption key', () => {
  const before = createDataEncryptionKeys({ current: KEY_1, version: 1 });
  const after = createDataEncryptionKeys({ current: KEY_2, version: 2, previous: KEY_1 });

  it('still decrypts a ciphertext made with the previous key version', async () => {
    const old = await encryptData(before, SECRET, ALICE);
    expect(await decryptData(after, old, ALICE)).toEqual(SECRET);
  });

  it('encrypts with the new version and asks to re-encrypt only old ciphertexts', async () => {
    const old = await encryptData(before, SECRET, ALICE);
    const current = await encryptData(after, SECRET, ALICE);
    expect(dataCiphertextVersion(current)).toBe(2);
    expect(dataCiphertextNeedsRotation(after, old)).toBe(true);
    expect(dataCiphertextNeedsRotation(after, current)).toBe(false);
  });

  it('refuses a ciphertext whose key version is no longer configured', async () => {
    const old = await encryptData(before, SECRET, ALICE);
    expect(await decryptData(createDataEncryptionKeys({ current: KEY_2, version: 2 }), old, ALICE)).toBeNull();
  });

  it('refuses a ciphertext relabelled with another version, even when both keys are configured', async () => {
    const old = await encryptData(before, SECRET, ALICE);
    const same = createDataEncryptionKeys({ current: KEY_1, version: 2, previous: KEY_2 });
    expect(await decryptData(same, old.replace(/^v1\./, 'v2.'), ALICE)).toBeNull();
  });

  it('imports each AES key once per isolate', async () => {
    const keys = createDataEncryptionKeys({ current: newKey() });
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    try {
      const ciphertext = await encryptData(keys, SECRET, ALICE);
      await decryptData(keys, ciphertext, ALICE);
      await encryptData(keys, SECRET, BOB);
      expect(importKey).toHaveBeenCalledTimes(1);
    } finally {
      importKey.mockRestore();
    }
  });
});
