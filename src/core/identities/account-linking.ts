// Which account an outside identity signs in to, the first time it is seen. A provider's word
// about an address is trusted only when it says it verified it, and an existing account's address
// only when Latchkey verified it: linking to an account whose address was never proven would hand
// it to whoever registered it first (the pre-hijacking attack), and linking on an unverified claim
// would hand it to whoever typed the address at the provider.
import type { User } from '../accounts/users';
import type { OutsideClaims } from './outside-provider';

export type LinkingDecision =
  /** Link to the account holding the same verified address, and sign in to it. */
  | { kind: 'link'; user: User }
  /** A new passwordless account. */
  | { kind: 'create' }
  /** An account holds the address, but one side has not verified it: sign in another way and link. */
  | { kind: 'refuse'; reason: 'email_unverified' }
  /** The provider shared no address, and every account needs one. */
  | { kind: 'refuse'; reason: 'no_email' };

export function decideLinking(claims: OutsideClaims, emailOwner: User | null): LinkingDecision {
  if (!claims.email) return { kind: 'refuse', reason: 'no_email' };
  if (!emailOwner) return { kind: 'create' };
  if (claims.emailVerified && emailOwner.emailVerifiedAt !== null) return { kind: 'link', user: emailOwner };
  return { kind: 'refuse', reason: 'email_unverified' };
}

const USERNAME_MAX = 32;

/**
 * A username from the provider's preferred one or the address's local part, in the register
 * form's alphabet (a-z 0-9 _ . -, 3 to 32 characters); `attempt` > 0 adds a random suffix.
 */
export function candidateUsername(claims: OutsideClaims, attempt: number): string {
  const source = claims.preferredUsername ?? claims.email?.split('@')[0] ?? 'user';
  let base = source
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '');
  if (base.length < 3) base = `user${base ? `_${base}` : ''}`;
  if (attempt === 0) return base.slice(0, USERNAME_MAX);
  const suffix = `-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36).slice(0, 6)}`;
  return `${base.slice(0, USERNAME_MAX - suffix.length)}${suffix}`;
}
