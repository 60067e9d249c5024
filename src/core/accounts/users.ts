// The user model and the storage interface the account flows need. The D1 implementation is in
// src/storage/d1-user-repository.ts; the core never sees drizzle or D1. A write given an `event`
// records it in the same transaction, and only if the write happened (src/core/events/).
import type { OutboxEvent, StoredEvent } from '../events/catalogue';

export interface User {
  id: string;
  username: string;
  email: string;
  emailVerifiedAt: number | null;
  /** When the admin API disabled the user; null while enabled. */
  disabledAt: number | null;
  displayName: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * An account's credential: its password hash (null for an account without a password, which
 * signs in with a passkey or, later, by email or an outside provider) and the credential version
 * that sessions, pending sign-ins and reset links are bound to. Every credential reset moves it.
 */
export interface PasswordCredential {
  userId: string;
  passwordHash: string | null;
  credentialVersion: number;
}

export interface NewUser {
  id: string;
  username: string;
  email: string;
  /** Null for an account created without a password. */
  passwordHash: string | null;
  displayName: string | null;
  now: number;
}

export type UserLookupKey = { email: string } | { username: string };

export interface UserWithCredential {
  user: User;
  credential: PasswordCredential;
}

/** `changed`; `stale` when the user no longer has the old address (or is gone); `taken` by another user. */
export type ChangeEmailResult = 'changed' | 'stale' | 'taken';

/** `event`: the event given, as stored (null when none was given or it stored nothing). */
export type CreateUserResult =
  { ok: true; user: User; event?: StoredEvent | null } | { ok: false; conflict: 'username' | 'email' };

/**
 * What the account flows need from user storage: create with unique names, find by id, email or
 * login name (with the password credential), and the conditional writes that make mailed tokens
 * single-use (`markEmailVerified`, `replacePassword`).
 */
export interface UserRepository {
  /** Creates user, credential and profile together, or nothing. */
  create(input: NewUser, event?: OutboxEvent): Promise<CreateUserResult>;
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /** The user and their password credential, found by email, username or id, in one read. */
  findWithCredential(key: UserLookupKey | { id: string }): Promise<UserWithCredential | null>;
  /** Marks the address verified if it is still the user's and not yet verified; false otherwise. */
  markEmailVerified(userId: string, email: string, now: number, event?: OutboxEvent): Promise<boolean>;
  /**
   * Sets a new password only if the credential is still at `expectedVersion`, and in the same
   * transaction deletes every session of the user but `keepSessionId`, which moves to the new
   * version. False when the version moved (another reset or change won), or the address is no
   * longer `expectedEmail`.
   */
  replacePassword(input: {
    userId: string;
    expectedVersion: number;
    /** A reset link is good only while the account still has the address it was mailed to. */
    expectedEmail?: string;
    passwordHash: string;
    now: number;
    keepSessionId?: string;
    /** A reset link proves control of the address, so a reset also verifies it. */
    verifyEmail?: boolean;
    event?: OutboxEvent;
  }): Promise<boolean>;
  /**
   * Switches the address, verified, only while the user still has `oldEmail`; in the same
   * transaction ends every session of the user but `keepSessionId`. The unique index decides an
   * address taken meanwhile: `taken`, and nothing changed.
   */
  changeEmail(input: {
    userId: string;
    oldEmail: string;
    newEmail: string;
    now: number;
    keepSessionId?: string;
    event?: OutboxEvent;
  }): Promise<ChangeEmailResult>;
  /**
   * Disables (`disabledAt` a time) or enables (null) the user; disabling ends every session and
   * every sign-in pending its second step in the same transaction. False when there is no such user.
   */
  setDisabled(userId: string, disabledAt: number | null, now: number, event?: OutboxEvent): Promise<boolean>;
  /**
   * Deletes the user with their credential, profile, factors and sessions (counters are the
   * throttle's). True for the one request that deleted the user; false when it was already gone.
   */
  delete(userId: string, event?: OutboxEvent): Promise<boolean>;
  /** Swaps in a re-hashed password (new parameters, same password) if the hash is unchanged. */
  upgradePasswordHash(userId: string, previousHash: string, passwordHash: string): Promise<void>;
}

/** The user that `create(input)` stores: unverified, created and updated at `input.now`. */
export function newUserOf(input: NewUser): User {
  return {
    id: input.id,
    username: input.username,
    email: input.email,
    emailVerifiedAt: null,
    disabledAt: null,
    displayName: input.displayName,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

/** The user as clients see it: no epochs, hashes or internal timestamps. */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  displayName: string | null;
  createdAt: string;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    displayName: user.displayName,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}

/** Emails are trimmed and compared lowercase. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Usernames are NFKC-normalised and lowercased, so look-alike forms map to one account. */
export function normalizeUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}
