// Secrets the server must read back (TOTP secrets) are stored encrypted with AES-256-GCM under a
// key kept outside the database (the DATA_ENCRYPTION_KEY Worker secret), so a copy of the
// database alone reveals none of them. The associated data names the record the ciphertext
// belongs to (for example `totp-secret:<user id>`): a ciphertext copied into another user's row
// fails to decrypt. Each ciphertext names its key version (`v<version>.`), so the key can be
// rotated the way the password pepper is: the new key encrypts, the previous one still decrypts.
import { base64UrlToBytes, bytesToBase64Url, randomBytes } from './encoding';
import { type VersionedSecretSettings, readVersionedSecrets } from './versioned-secrets';

export const DATA_KEY_BYTES = 32;
export const DATA_KEY_MAX_VERSION = 999_999;
/** 96 bits, the IV length GCM is specified for (NIST SP 800-38D); random per encryption. */
const IV_BYTES = 12;

export interface DataEncryptionKeys {
  /** The version new ciphertexts are made with; undefined when no key is configured. */
  currentVersion: number | undefined;
  /** Every key a stored ciphertext may name, by version: the current one and the previous one. */
  byVersion: ReadonlyMap<number, Uint8Array>;
}

/**
 * Reads a key as 32 bytes in base64url or base64, padded or not (so `openssl rand -base64 32`
 * works as well as `node scripts/generate-data-key.mjs`). Returns null for anything else.
 */
export function parseDataEncryptionKey(text: string): Uint8Array | null {
  const bytes = base64UrlToBytes(text.trim().replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''));
  return bytes?.length === DATA_KEY_BYTES ? bytes : null;
}

function parseKeySetting(text: string, version: number, name: string): Uint8Array {
  if (!Number.isInteger(version) || version < 1 || version > DATA_KEY_MAX_VERSION) {
    throw new RangeError(`data encryption key version must be an integer 1..${DATA_KEY_MAX_VERSION}`);
  }
  const key = parseDataEncryptionKey(text);
  if (!key) throw new RangeError(`${name} must be ${DATA_KEY_BYTES} random bytes in base64url or base64`);
  return key;
}

/**
 * Builds the key set from settings: `current` (DATA_ENCRYPTION_KEY) at `version`
 * (DATA_ENCRYPTION_KEY_VERSION, default 1) and optionally `previous`
 * (DATA_ENCRYPTION_KEY_PREVIOUS) at version - 1. Throws at once on settings that would make stored
 * ciphertexts unreadable, naming the setting and never its value.
 */
export function createDataEncryptionKeys(settings: VersionedSecretSettings): DataEncryptionKeys {
  const keys = readVersionedSecrets(settings, {
    noun: 'data encryption key',
    parse: (secret, version, which) =>
      parseKeySetting(secret, version, which === 'current' ? 'DATA_ENCRYPTION_KEY' : 'DATA_ENCRYPTION_KEY_PREVIOUS'),
    same: (a, b) => bytesToBase64Url(a) === bytesToBase64Url(b),
  });
  return keys
    ? { currentVersion: keys.version, byVersion: keys.byVersion }
    : { currentVersion: undefined, byVersion: new Map() };
}

// One imported AES key per key per isolate: importKey is not free.
const aesKeys = new Map<string, Promise<CryptoKey>>();

function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  const cacheKey = bytesToBase64Url(raw);
  let key = aesKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
    aesKeys.set(cacheKey, key);
  }
  return key;
}

/** The version prefix is authenticated too, so relabelling a ciphertext breaks it. */
function additionalData(version: number, associatedData: string): BufferSource {
  return new TextEncoder().encode(`v${version}.${associatedData}`);
}

/**
 * Encrypts `plaintext` under the current key, bound to `associatedData` (which record it belongs
 * to). Returns `v<version>.<iv>.<ciphertext and tag>`, both parts base64url. Throws when no key is
 * configured: a caller that stores secrets must check that at start-up.
 */
export async function encryptData(
  keys: DataEncryptionKeys,
  plaintext: Uint8Array,
  associatedData: string,
): Promise<string> {
  const version = keys.currentVersion;
  if (version === undefined) throw new Error('no data encryption key is configured');
  const iv = randomBytes(IV_BYTES);
  const key = await importAesKey(keys.byVersion.get(version)!);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: iv as BufferSource, additionalData: additionalData(version, associatedData) },
    key,
    plaintext as BufferSource,
  );
  return `v${version}.${bytesToBase64Url(iv)}.${bytesToBase64Url(new Uint8Array(sealed))}`;
}

/** The key version a ciphertext names, or null when it is not one of ours. */
export function dataCiphertextVersion(ciphertext: string): number | null {
  const match = /^v([1-9][0-9]{0,5})\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.exec(ciphertext);
  return match ? Number(match[1]) : null;
}

/** Whether a stored ciphertext should be re-encrypted under the current key (after a rotation). */
export function dataCiphertextNeedsRotation(keys: DataEncryptionKeys, ciphertext: string): boolean {
  return keys.currentVersion !== undefined && dataCiphertextVersion(ciphertext) !== keys.currentVersion;
}

/**
 * The plaintext, or null when the ciphertext is malformed, names a key version not configured,
 * was made under another key, was altered, or belongs to other associated data (another user).
 * Any of those means a misconfiguration or a tampered row, never a user mistake: log it.
 */
export async function decryptData(
  keys: DataEncryptionKeys,
  ciphertext: string,
  associatedData: string,
): Promise<Uint8Array | null> {
  const version = dataCiphertextVersion(ciphertext);
  const raw = version === null ? undefined : keys.byVersion.get(version);
  if (version === null || raw === undefined) return null;
  const [, ivText, sealedText] = ciphertext.split('.') as [string, string, string];
  const iv = base64UrlToBytes(ivText);
  const sealed = base64UrlToBytes(sealedText);
  if (iv?.length !== IV_BYTES || !sealed) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: additionalData(version, associatedData) },
      await importAesKey(raw),
      sealed as BufferSource,
    );
    return new Uint8Array(plaintext);
  } catch {
    // OperationError: the GCM tag did not verify.
    return null;
  }
}
