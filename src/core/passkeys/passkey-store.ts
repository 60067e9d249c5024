// The passkey records and what the passkey flows need from storage. A challenge is used by one
// conditional delete, so of two requests presenting it exactly one gets it; the signature counter
// moves by a compare-and-set, so two sign-ins cannot both move it from the same value.
import type { OutboxEvent } from '../events/catalogue';
import type { VerifiedPasskey } from './webauthn/registration';
import type { User } from '../accounts/users';

/** A stored passkey: what its registration verified, and what Latchkey keeps beside it. */
export interface Passkey extends Omit<VerifiedPasskey, 'id'> {
  /** Latchkey's own short id, used in URLs; never the credential id. */
  id: string;
  /** The WebAuthn credential id (the verified passkey's `id`), base64url: unique across all users. */
  credentialId: string;
  userId: string;
  userHandle: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Registration adds a passkey; authentication signs in; reauthentication confirms a signed-in user. */
export type Ceremony = 'registration' | 'authentication' | 'reauthentication';

export interface PasskeyChallenge {
  id: string;
  challenge: string;
  ceremony: Ceremony;
  /** Registration and reauthentication: the signed-in user it was issued to; null for a sign-in. */
  userId: string | null;
  userHandle: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface PasskeyOwner {
  user: User;
  /** The account's credential version, which a new session is bound to (see sessions.ts). */
  credentialVersion: number;
}

export interface PasskeyStore {
  /** The user's handle, made from `candidate` on first use; the same handle ever after. */
  ensureUserHandle(userId: string, candidate: string): Promise<string>;
  listForUser(userId: string): Promise<Passkey[]>;
  saveChallenge(challenge: PasskeyChallenge): Promise<void>;
  /**
   * Deletes and returns the challenge if it exists, is of this ceremony, has not expired and (when
   * `userId` is given) was issued to that user: one conditional write, so it is used at most once.
   */
  takeChallenge(id: string, ceremony: Ceremony, now: number, userId?: string): Promise<PasskeyChallenge | null>;
  /** False when the credential id is already registered (to anyone): nothing is written. */
  add(passkey: Passkey, event?: OutboxEvent): Promise<boolean>;
  /** The passkey with this credential id, its owner, and the owner's credential version. */
  findByCredentialId(credentialId: string): Promise<{ passkey: Passkey; owner: PasskeyOwner } | null>;
  /** Moves the counter from `seenSignCount` to `signCount`; false if another use moved it first. */
  recordUse(input: {
    id: string;
    seenSignCount: number;
    signCount: number;
    backedUp: boolean;
    now: number;
  }): Promise<boolean>;
  /** The renamed passkey; null when the user has no passkey with this id. */
  rename(userId: string, id: string, name: string): Promise<Passkey | null>;
  /** The removed passkey; null when the user has no passkey with this id. */
  remove(userId: string, id: string, event?: OutboxEvent): Promise<Passkey | null>;
}
