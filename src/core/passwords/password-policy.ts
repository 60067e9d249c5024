// What a new password must be, after NIST SP 800-63B rev 4 (section 3.1.1.2): a minimum length,
// a maximum of at least 64, no composition rules, never truncated, and a refusal of passwords
// that are commonly used or built from the account's own name. Length is counted in Unicode code
// points of the NFC form, the form that is hashed, so "é" counts once however it was typed.
import type { CommonPasswords } from './common-passwords';

/** The lowest minimum length allowed: NIST's floor when a password is used with a second factor. */
export const PASSWORD_MIN_LENGTH_FLOOR = 8;
export const PASSWORD_DEFAULT_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** A name part shorter than this is not looked for: "al" would refuse half of all passwords. */
const MIN_NAME_PART_LENGTH = 3;

export interface PasswordPolicy {
  minLength: number;
}

export interface PasswordPolicyContext {
  username?: string | undefined;
  email?: string | undefined;
}

export type PasswordPolicyRefusal = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'contains_email';

export type PasswordPolicyResult = { ok: true } | { ok: false; reason: PasswordPolicyRefusal; message: string };

export const defaultPasswordPolicy: PasswordPolicy = { minLength: PASSWORD_DEFAULT_MIN_LENGTH };

/** Throws at once on a policy that would weaken the rules or refuse every password. */
export function assertPasswordPolicySupported(policy: PasswordPolicy): void {
  const { minLength } = policy;
  if (!Number.isInteger(minLength) || minLength < PASSWORD_MIN_LENGTH_FLOOR || minLength > PASSWORD_MAX_LENGTH) {
    throw new RangeError(`password minimum length must be ${PASSWORD_MIN_LENGTH_FLOOR}..${PASSWORD_MAX_LENGTH}`);
  }
}

export function countPasswordCharacters(password: string): number {
  return [...password.normalize('NFC')].length;
}

function refuse(reason: PasswordPolicyRefusal, message: string): PasswordPolicyResult {
  return { ok: false, reason, message };
}

/** The parts of an email address a password must not contain: the local part, and without "+tag". */
function emailNameParts(email: string): string[] {
  const at = email.lastIndexOf('@');
  const local = at === -1 ? email : email.slice(0, at);
  const untagged = local.split('+')[0]!;
  return untagged === local ? [local] : [local, untagged];
}

function containsNamePart(lowerPassword: string, part: string): boolean {
  const lowerPart = part.normalize('NFC').toLowerCase();
  return countPasswordCharacters(lowerPart) >= MIN_NAME_PART_LENGTH && lowerPassword.includes(lowerPart);
}

/**
 * Checks a new password (registration, reset, change) against the policy. Returns the first rule
 * it breaks, with a message fit for the person choosing it. Existing passwords are never checked
 * at login: a policy change must not lock anyone out.
 */
export function checkPasswordPolicy(
  password: string,
  context: PasswordPolicyContext,
  policy: PasswordPolicy,
  commonPasswords: CommonPasswords,
): PasswordPolicyResult {
  assertPasswordPolicySupported(policy);
  const normalized = password.normalize('NFC');
  const length = countPasswordCharacters(normalized);
  if (length < policy.minLength) {
    return refuse('too_short', `Use at least ${policy.minLength} characters.`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    // Refused rather than truncated: a silently shortened password is weaker than it looks.
    return refuse('too_long', `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  if (commonPasswords.has(normalized)) {
    return refuse('common', 'This password is too common: it is one of the first that attackers try. Choose another.');
  }
  const lowerPassword = normalized.toLowerCase();
  if (context.username && containsNamePart(lowerPassword, context.username)) {
    return refuse('contains_username', 'The password must not contain your username.');
  }
  if (context.email && emailNameParts(context.email).some((part) => containsNamePart(lowerPassword, part))) {
    return refuse('contains_email', 'The password must not contain your email address.');
  }
  return { ok: true };
}
