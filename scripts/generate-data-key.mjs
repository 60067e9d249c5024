// Generates a DATA_ENCRYPTION_KEY: 32 random bytes (an AES-256 key) in base64url.
// Usage: node scripts/generate-data-key.mjs   (prints the key)
import { Buffer } from 'node:buffer';
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export function generateDataEncryptionKey() {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(generateDataEncryptionKey());
}
