// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 6 digits, 30 s steps,
// the parameters every authenticator app supports. A code is accepted for the current step or
// one step either side (clock drift), and only for a step later than the last one accepted, so
// a code works once (RFC 6238 section 5.2): the caller stores the returned step conditionally.
// Written on WebCrypto HMAC rather than a library: the replay rule needs the matched step and an
// injected clock, which leaves a library only the 10-line truncation below.
import { encodeBase32 } from '../kit/base32';
import { randomBytes, timingSafeEqual } from '../kit/encoding';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits, the HMAC-SHA-1 output length RFC 4226 section 4 recommends. */
export const TOTP_SECRET_BYTES = 20;
/** Steps either side of the current one that still verify; a wider window gives guessers more codes. */
export const TOTP_DRIFT_STEPS = 1;

export function generateTotpSecret(): Uint8Array {
  return randomBytes(TOTP_SECRET_BYTES);
}

/** The RFC 6238 time step T for a time in milliseconds since the epoch. */
export function totpTimeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

function importHmacKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
}

async function hotp(key: CryptoKey, counter: number): Promise<string> {
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  // RFC 4226 section 5.3, dynamic truncation: 31 bits at the offset named by the last nibble.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = new DataView(mac.buffer, offset, 4).getUint32(0) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/** The code an authenticator app shows for `secret` at `timeStep`. */
export async function generateTotpCode(secret: Uint8Array, timeStep: number): Promise<string> {
  return hotp(await importHmacKey(secret), timeStep);
}

/**
 * The six digits of a code as typed, or null when it is not one. Spaces are dropped (apps show
 * "123 456"); anything else, including non-ASCII digits, makes it not a TOTP code, so a caller
 * that also takes recovery codes can tell the two apart.
 */
export function parseTotpCode(input: string): string | null {
  const code = input.replaceAll(' ', '');
  return new RegExp(`^[0-9]{${TOTP_DIGITS}}$`).test(code) ? code : null;
}

/**
 * Checks `code` against the steps around `now` (ms since the epoch). Returns the matched step
 * only if it is later than `lastAcceptedStep` (null when none was accepted yet); otherwise null.
 * The caller must then move the stored step forward with a conditional update (`... WHERE
 * last_used_step IS NULL OR last_used_step < ?`) and treat zero changed rows as a replay, so two
 * parallel requests with one code cannot both succeed.
 */
export async function verifyTotpCode(
  secret: Uint8Array,
  input: string,
  options: { now: number; lastAcceptedStep: number | null },
): Promise<number | null> {
  const code = parseTotpCode(input);
  if (code === null) return null;
  const key = await importHmacKey(secret);
  const current = totpTimeStep(options.now);
  const given = new TextEncoder().encode(code);
  let matched: number | null = null;
  // Every step in the window is computed and compared, whatever matched, so timing tells nothing.
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    const equal = timingSafeEqual(given, new TextEncoder().encode(await hotp(key, step)));
    const fresh = options.lastAcceptedStep === null || step > options.lastAcceptedStep;
    if (equal && fresh && matched === null) matched = step;
  }
  return matched;
}

/**
 * The otpauth:// URI an authenticator app reads from the QR code (Google Authenticator's Key URI
 * format): label `issuer:account`, each part percent-encoded, and the issuer repeated as a query
 * parameter, which apps prefer over the label's prefix.
 */
export function totpKeyUri(options: { issuer: string; accountName: string; secret: Uint8Array }): string {
  const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.accountName)}`;
  const query = [
    `secret=${encodeBase32(options.secret)}`,
    `issuer=${encodeURIComponent(options.issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
