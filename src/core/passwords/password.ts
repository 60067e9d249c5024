// Password hashing with WebCrypto PBKDF2-HMAC-SHA-256. Hashes describe their own parameters
// (`$pbkdf2-sha256$i=100000$<salt>$<hash>`, or `i=100000,pv=2` when pepper version 2 was used) so
// the cost and the pepper can change later: verification reads the stored parameters, and a login
// re-hashes when they differ from the current ones.
//
// Production Workers refuse PBKDF2 above 100,000 iterations while local workerd does not, so a
// count above the cap would pass every local test and fail every real login. The cap is enforced
// here, for configured counts and for stored hashes alike, before any work is done.
import { base64UrlToBytes, bytesToBase64Url, randomBytes, timingSafeEqual } from '../kit/encoding';
import { PEPPER_MAX_VERSION, type PasswordPepper, assertPepperSupported, pepperPassword } from './password-pepper';

export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'pbkdf2-sha256';

export interface PasswordHashParams {
  iterations: number;
  /** When set, new hashes are peppered with it and record its version. */
  pepper?: PasswordPepper | undefined;
}

export const currentPasswordHashParams: PasswordHashParams = { iterations: PBKDF2_ITERATIONS };

export interface ParsedPasswordHash {
  iterations: number;
  /** The pepper version the hash was made with; null for an unpeppered hash. */
  pepperVersion: number | null;
  salt: Uint8Array;
  hash: Uint8Array;
}

async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
  pepperSecret: string | undefined,
): Promise<Uint8Array> {
  // NFC first: the same password typed on another keyboard or OS (composed or decomposed
  // accents) must give the same hash.
  const passwordBytes = new TextEncoder().encode(password.normalize('NFC'));
  const secret = pepperSecret === undefined ? passwordBytes : await pepperPassword(passwordBytes, pepperSecret);
  const key = await crypto.subtle.importKey('raw', secret as BufferSource, 'PBKDF2', false, ['deriveBits']);
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
  if (params.pepper) assertPepperSupported(params.pepper);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params.iterations, params.pepper?.secret);
  const cost = params.pepper ? `i=${params.iterations},pv=${params.pepper.version}` : `i=${params.iterations}`;
  return `$${SCHEME}$${cost}$${bytesToBase64Url(salt)}$${bytesToBase64Url(hash)}`;
}

/** Parses a stored hash; null when it is malformed or asks for more than Workers allow. */
export function parsePasswordHash(stored: string): ParsedPasswordHash | null {
  const parts = stored.split('$');
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== SCHEME) return null;
  const paramsMatch = /^i=(\d{1,7})(?:,pv=([1-9]\d{0,5}))?$/.exec(parts[2]!);
  if (!paramsMatch) return null;
  const iterations = Number(paramsMatch[1]);
  if (iterations < 1 || iterations > WORKERS_PBKDF2_MAX_ITERATIONS) return null;
  const pepperVersion = paramsMatch[2] === undefined ? null : Number(paramsMatch[2]);
  if (pepperVersion !== null && pepperVersion > PEPPER_MAX_VERSION) return null;
  const salt = base64UrlToBytes(parts[3]!);
  const hash = base64UrlToBytes(parts[4]!);
  if (!salt || !hash || salt.length < 8 || hash.length !== HASH_BYTES) return null;
  return { iterations, pepperVersion, salt, hash };
}

/**
 * Checks a password in constant time. A malformed or over-cap stored hash never matches. A hash
 * made with a pepper version missing from `peppers` never matches either, after a derivation of
 * the stored cost, so that answer takes as long as a wrong password.
 */
export async function verifyPassword(
  password: string,
  stored: string,
  peppers: ReadonlyMap<number, string> = new Map(),
): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const pepperSecret = parsed.pepperVersion === null ? undefined : peppers.get(parsed.pepperVersion);
  if (parsed.pepperVersion !== null && pepperSecret === undefined) {
    await derive(password, parsed.salt, parsed.iterations, undefined);
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed.iterations, pepperSecret);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when the stored hash's cost or pepper version differs from the current parameters. */
export function passwordHashNeedsUpgrade(
  stored: string,
  params: PasswordHashParams = currentPasswordHashParams,
): boolean {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return true;
  return parsed.iterations !== params.iterations || parsed.pepperVersion !== (params.pepper?.version ?? null);
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
