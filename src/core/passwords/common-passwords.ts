// The list of common passwords (NIST SP 800-63B: refuse values known to be commonly used).
// An attacker tries these first, so no hashing cost saves an account that uses one. The list is a
// Golomb-coded set of hashes: every listed password is refused, and about one other password in
// 32,768 is refused too (a false positive; the person just picks another).
//
// The set is not bundled: it is a static asset (public/common-passwords.json, built by
// scripts/build-common-passwords.mjs), read through an injected loader. It is loaded and decoded
// on first use, once per isolate, so a worker that never checks a password never pays for it.
// The check fails closed: when the list cannot be read, no new password is accepted.
import { type DecodedGolombCodedSet, type GolombCodedSet, decodeGolombCodedSet } from './common-passwords-gcs';
import { AuthError } from '../kit/errors';

/** Reads the stored set (the host's static assets, a file, or memory in tests). */
export type CommonPasswordsLoader = () => Promise<GolombCodedSet>;

/** Membership, case-insensitive, on the NFC form, like the stored list. */
export interface CommonPasswords {
  has(password: string): boolean;
}

export function commonPasswordsOf(set: GolombCodedSet): CommonPasswords {
  const decoded: DecodedGolombCodedSet = decodeGolombCodedSet(set);
  return { has: (password) => decoded.has(password.normalize('NFC').toLowerCase()) };
}

/**
 * Loads the set once and shares it; a failed load is not cached, so the next request tries again.
 * Until the list is read, the returned function throws a 503 `unavailable` AuthError (and logs
 * `common_passwords.unavailable`): refusing a password change for a moment beats accepting
 * "password123".
 */
export function createCommonPasswordsSource(
  load: CommonPasswordsLoader,
  log: (event: { event: string } & Record<string, unknown>) => void,
): () => Promise<CommonPasswords> {
  let loading: Promise<CommonPasswords> | undefined;
  return async () => {
    loading ??= load().then(commonPasswordsOf);
    try {
      return await loading;
    } catch (error) {
      loading = undefined;
      log({ event: 'common_passwords.unavailable', error: error instanceof Error ? error.message : String(error) });
      throw new AuthError('unavailable', 'Passwords cannot be checked right now. Try again in a moment.', [], {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
  };
}
