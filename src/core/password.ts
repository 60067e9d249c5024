// Password hashing with WebCrypto PBKDF2-HMAC-SHA-256. Hashes describe their own parameters
// (`$pbkdf2-sha256$i=100000$<salt>$<hash>`) so the cost can change later: verification reads the
// stored parameters, and a login re-hashes when they differ from the current ones.
//
// Production Workers refuse PBKDF2 above 100,000 iterations while local workerd does not, so a
// count above the cap would pass every local test and fail every real login. The cap is enforced
// here, for configured counts and for stored hashes alike, before any work is done.
import { base64UrlToBytes, bytesToBase64Url, randomBytes, timingSafeEqual } from './encoding';

export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'pbkdf2-sha256';

export interface PasswordHashParams {
  iterations: number;
}

export const currentPasswordHashParams: PasswordHashParams = { iterations: PBKDF2_ITERATIONS };

interface ParsedPasswordHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  // NFC first: the same password typed on another keyboard or OS (composed or decomposed
  // accents) must give the same hash.
  const secret = new TextEncoder().encode(password.normalize('NFC'));
  const key = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

export function assertIterationsSupported(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > WORKERS_PBKDF2_MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1..${WORKERS_PBKDF2_MAX_ITERATIONS} on Workers`);
  }
}

export async function hashPassword(
  password: string,
  params: PasswordHashParams = currentPasswordHashParams,
): Promise<string> {
  assertIterationsSupported(params.iterations);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params.iterations);
  return `$${SCHEME}$i=${params.iterations}$${bytesToBase64Url(salt)}$${bytesToBase64Url(hash)}`;
}

/** Parses a stored hash; null when it is malformed or asks for more than Workers allow. */
export function parsePasswordHash(stored: string): ParsedPasswordHash | null {
  const parts = stored.split('$');
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== SCHEME) return null;
  const iterationsMatch = /^i=(\d{1,7})$/.exec(parts[2]!);
  if (!iterationsMatch) return null;
  const iterations = Number(iterationsMatch[1]);
  if (iterations < 1 || iterations > WORKERS_PBKDF2_MAX_ITERATIONS) return null;
  const salt = base64UrlToBytes(parts[3]!);
  const hash = base64UrlToBytes(parts[4]!);
  if (!salt || !hash || salt.length < 8 || hash.length !== HASH_BYTES) return null;
  return { iterations, salt, hash };
}

/** Checks a password in constant time. A malformed or over-cap stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.iterations);
  return timingSafeEqual(candidate, parsed.hash);
}

export function passwordHashNeedsUpgrade(
  stored: string,
  params: PasswordHashParams = currentPasswordHashParams,
): boolean {
  return parsePasswordHash(stored)?.iterations !== params.iterations;
}

// A hash of no password: random salt and digest, at the current cost. Never matches in practice.
const DUMMY_HASH = `$${SCHEME}$i=${PBKDF2_ITERATIONS}$WEG0VNYQjSMEUOmuCmEqew$nFPI5CyTJ_mZoBb-oenXYOKcJyl7LqY3IJ7TpZCnhD0`;

/**
 * Runs one PBKDF2 of the current cost against a throw-away hash, so that a login for an
 * unknown identifier takes as long as a wrong password for a real one.
 */
export async function verifyAgainstDummyHash(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}
