// Opaque bearer secrets (refresh, verification and reset tokens). Each carries 256 bits from the
// platform CSPRNG and is stored only as its SHA-256 digest, so a leaked KV dump grants nothing.
import { bytesToBase64Url, randomBytes, sha256 } from './encoding';

export function generateToken(bytes = 32): string {
  return bytesToBase64Url(randomBytes(bytes));
}

export async function digestToken(token: string): Promise<string> {
  return bytesToBase64Url(await sha256(token));
}
