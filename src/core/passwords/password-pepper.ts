// A pepper is a secret kept outside the database (a Worker secret). With one configured, a
// password is HMAC-SHA-256-ed with it before PBKDF2, so a stolen copy of the database alone cannot
// be guessed against offline. Each hash records the pepper version it used (`pv=`), so a pepper
// can be rotated: the new one hashes, the previous one still verifies, and logins re-hash.
import { type VersionedSecretSettings, readVersionedSecrets } from '../kit/versioned-secrets';

/** A pepper of fewer characters than this is refused: it would be guessable along with the passwords. */
export const PEPPER_MIN_LENGTH = 32;
export const PEPPER_MAX_VERSION = 999_999;

export interface PasswordPepper {
  version: number;
  secret: string;
}

export interface PasswordPeppers {
  /** The pepper new hashes are made with; undefined when none is configured. */
  current: PasswordPepper | undefined;
  /** Every pepper a stored hash may name, by version: the current one and the previous one. */
  byVersion: ReadonlyMap<number, string>;
}

export function assertPepperSupported(pepper: PasswordPepper): void {
  if (!Number.isInteger(pepper.version) || pepper.version < 1 || pepper.version > PEPPER_MAX_VERSION) {
    throw new RangeError(`pepper version must be an integer 1..${PEPPER_MAX_VERSION}`);
  }
  if (pepper.secret.length < PEPPER_MIN_LENGTH) {
    throw new RangeError(`pepper must be at least ${PEPPER_MIN_LENGTH} characters`);
  }
}

/**
 * Builds the pepper set from settings: `current` (PASSWORD_PEPPER) at `version`
 * (PASSWORD_PEPPER_VERSION, default 1) and optionally `previous` (PASSWORD_PEPPER_PREVIOUS) at
 * version - 1. Throws at once on settings that would make stored hashes unverifiable.
 */
export function createPasswordPeppers(settings: VersionedSecretSettings): PasswordPeppers {
  const peppers = readVersionedSecrets(settings, {
    noun: 'pepper',
    parse: (secret, version) => {
      assertPepperSupported({ version, secret });
      return secret;
    },
    same: (a, b) => a === b,
  });
  if (!peppers) return { current: undefined, byVersion: new Map() };
  return { current: { version: peppers.version, secret: peppers.current }, byVersion: peppers.byVersion };
}

// One imported HMAC key per pepper per isolate: importKey is not free, and logins are frequent.
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function importPepperKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** HMAC-SHA-256(key = pepper, message = password bytes): the value PBKDF2 then stretches. */
export async function pepperPassword(passwordBytes: Uint8Array, secret: string): Promise<Uint8Array> {
  const key = await importPepperKey(secret);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, passwordBytes as BufferSource));
}
