// TOTP codes as an authenticator app makes them: RFC 6238 with Latchkey's parameters (SHA-1, six
// digits, 30-second steps), for the current step of the real clock. Shared by the HTTP suite and
// the example relying party's test.
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';

/** The current code for a base32 secret. */
export function totpCode(base32Secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32Secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
