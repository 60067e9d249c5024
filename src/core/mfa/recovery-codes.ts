// Recovery codes: the way back in when the authenticator app is lost. Each carries 120 bits from
// the platform CSPRNG, so a plain SHA-256 digest is enough to store it (ASVS 6.5.2: no slow hash
// is needed at 112 bits and more) and a database copy reveals no usable code. Shown once.
import { encodeBase32 } from '../kit/base32';
import { randomBytes } from '../kit/encoding';
import { digestToken } from '../kit/random-token';

export const RECOVERY_CODE_COUNT = 10;
/** 15 bytes = 120 bits = exactly 24 base32 characters, no partial character. */
const CODE_BYTES = 15;
const CODE_LENGTH = 24;
const GROUP_LENGTH = 4;

/** One code as shown to the user: six groups of four base32 characters, e.g. `ABCD-EFGH-...`. */
export function generateRecoveryCode(): string {
  const compact = encodeBase32(randomBytes(CODE_BYTES));
  return compact.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/**
 * The canonical form of a code as typed (24 upper-case base32 characters), or null when it
 * cannot be one. Letter case, hyphens and whitespace are ignored, so a code copied with or
 * without its separators works.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  return new RegExp(`^[A-Z2-7]{${CODE_LENGTH}}$`).test(compact) ? compact : null;
}

/** The stored form of a code: the SHA-256 digest of its canonical form; null for a malformed one. */
export async function digestRecoveryCode(input: string): Promise<string | null> {
  const code = normalizeRecoveryCode(input);
  return code === null ? null : digestToken(code);
}

/** A fresh set: the codes to show once, and their digests to store (same order). */
export async function createRecoveryCodes(
  count = RECOVERY_CODE_COUNT,
): Promise<{ codes: string[]; digests: string[] }> {
  const codes = Array.from({ length: count }, generateRecoveryCode);
  const digests = await Promise.all(codes.map(async (code) => (await digestRecoveryCode(code))!));
  return { codes, digests };
}
