// The password operations the flows use, bound to this deployment's pepper settings, so that
// no flow can forget to pepper a new hash or to pass the older peppers to verification.
import {
  PBKDF2_ITERATIONS,
  type PasswordHashParams,
  hashPassword,
  passwordHashNeedsUpgrade,
  verifyAgainstDummyHash,
  verifyPassword,
} from './password';
import type { PasswordPeppers } from './password-pepper';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** One derivation of the current cost that never matches: for unknown users. */
  verifyDummy(password: string): Promise<false>;
  needsUpgrade(stored: string): boolean;
}

export function createPasswordHasher(peppers: PasswordPeppers): PasswordHasher {
  const params: PasswordHashParams = { iterations: PBKDF2_ITERATIONS, pepper: peppers.current };
  return {
    hash: (password) => hashPassword(password, params),
    verify: (password, stored) => verifyPassword(password, stored, peppers.byVersion),
    verifyDummy: verifyAgainstDummyHash,
    needsUpgrade: (stored) => passwordHashNeedsUpgrade(stored, params),
  };
}
