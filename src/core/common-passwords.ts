// The bundled list of common passwords (NIST SP 800-63B: refuse values known to be commonly used).
// An attacker tries these first, so no hashing cost saves an account that uses one. The list is a
// Golomb-coded set of hashes: every listed password is refused, and about one other password in
// 32,768 is refused too (a false positive; the person just picks another). It is decoded on first
// use, once per isolate, so a worker that never checks a password never pays for it.
import { type DecodedGolombCodedSet, decodeGolombCodedSet } from './common-passwords-gcs';
import { commonPasswordSet } from './common-passwords.data';

let commonPasswords: DecodedGolombCodedSet | undefined;

/** Case-insensitive, on the NFC form, like the stored list. */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= decodeGolombCodedSet(commonPasswordSet);
  return commonPasswords.has(password.normalize('NFC').toLowerCase());
}
