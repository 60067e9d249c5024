// What outside sign-in needs from storage. An identity (provider, subject) belongs to one account,
// decided by a unique index; a pending authorization is taken by one conditional delete that also
// checks the browser's verifier, so a callback works once and only in the browser that started it.
// Unlinking is one conditional delete that keeps the last way into an account.
import type { NewUser, User } from '../accounts/users';
import type { OutboxEvent } from '../events/catalogue';

export interface OutsideIdentity {
  id: string;
  userId: string;
  /** The provider id of the configuration (`google`, `corp`, ...). */
  provider: string;
  /** The provider's stable id of the person (`sub`). */
  subject: string;
  /** The address the provider gave when the identity was linked, for display only. */
  email: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PendingAuthorization {
  stateDigest: string;
  provider: string;
  /** Digest of the PKCE verifier the browser's cookie holds. */
  verifierDigest: string;
  nonce: string;
  /** The signed-in account that links the identity; null for a sign-in. */
  linkUserId: string | null;
  returnTo: string | null;
  expiresAt: number;
}

export type LinkIdentityResult = { ok: true } | { ok: false; conflict: 'identity' };

export type CreateUserWithIdentityResult =
  { ok: true; user: User } | { ok: false; conflict: 'username' | 'email' | 'identity' };

/** `last_way_in`: the account has no password, no passkey and no other identity. */
export type UnlinkIdentityResult = 'unlinked' | 'not_found' | 'last_way_in';

export interface IdentityStore {
  saveAuthorization(pending: PendingAuthorization, now: number): Promise<void>;
  /**
   * Deletes and answers the unexpired pending authorization of this state whose verifier digest
   * matches; null otherwise (and nothing is deleted). Of parallel takes, one wins.
   */
  takeAuthorization(stateDigest: string, verifierDigest: string, now: number): Promise<PendingAuthorization | null>;
  findIdentity(provider: string, subject: string): Promise<OutsideIdentity | null>;
  listIdentities(userId: string): Promise<OutsideIdentity[]>;
  /**
   * Links the identity, recording `event` with it; `identity` when (provider, subject) is linked
   * already, to anyone (and nothing is recorded).
   */
  link(identity: OutsideIdentity, event?: OutboxEvent): Promise<LinkIdentityResult>;
  /**
   * Creates a passwordless account and links the identity to it, together or not at all; the
   * address is verified at `user.now` when `emailVerified`. `events` are recorded with them.
   */
  createUserWithIdentity(
    user: NewUser & { emailVerified: boolean },
    identity: OutsideIdentity,
    events?: OutboxEvent[],
  ): Promise<CreateUserWithIdentityResult>;
  /** Unlinks one of the user's identities unless it is the account's last way in; records `event` if it did. */
  unlink(userId: string, identityId: string, event?: OutboxEvent): Promise<UnlinkIdentityResult>;
  markUsed(identityId: string, now: number): Promise<void>;
}
