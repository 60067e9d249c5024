// RFC 4648 base32 (A-Z, 2-7) without padding: the alphabet authenticator apps expect for TOTP
// secrets, and a readable one for recovery codes (no 0/1/8/9 to confuse with O/I/B).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function encodeBase32(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) text += ALPHABET[(buffer << (5 - bits)) & 31];
  return text;
}

/**
 * Decodes base32 in any letter case, ignoring spaces (apps and people group secrets in fours).
 * Returns null for any other character, for padding, for a length no byte string encodes to, and
 * for non-zero trailing bits, so each byte string has exactly one accepted spelling up to case.
 */
export function decodeBase32(text: string): Uint8Array | null {
  const compact = text.replaceAll(' ', '').toUpperCase();
  if (![0, 2, 4, 5, 7].includes(compact.length % 8)) return null;
  const bytes = new Uint8Array(Math.floor((compact.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of compact) {
    const value = ALPHABET.indexOf(char);
    if (value === -1) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return bytes;
}
