// What sign-in by email needs from storage. One pending sign-in per address: a new mail replaces
// the previous one. Its link token is stored as a digest, its code as a digest bound to that
// token; single use is one conditional delete, and each try at the code is counted before it is
// checked, in the statement that checks the limit, so parallel guesses get no more checks.

export interface PendingEmailSignIn {
  /** The address the mail went to, normalized. */
  email: string;
  tokenDigest: string;
  /** `emailSignInCodeDigest(tokenDigest, code)`. */
  codeDigest: string;
  /** The account signing in; null for an account to be created at the first verify. */
  userId: string | null;
  /** For an account to be created: its username. */
  username: string | null;
  expiresAt: number;
}

export interface EmailSignInStore {
  /** Stores the pending sign-in of `email`, replacing any earlier one (its link and code then fail). */
  save(pending: PendingEmailSignIn, now: number): Promise<void>;
  /** Deletes and answers the unexpired pending sign-in of this link token: of parallel takes, one wins. */
  takeByToken(tokenDigest: string, now: number): Promise<PendingEmailSignIn | null>;
  /**
   * Counts one try at the code of the address's unexpired pending sign-in and answers it; null
   * (nothing counted) when there is none, or `maxAttempts` tries were made.
   */
  reserveCodeAttempt(email: string, now: number, maxAttempts: number): Promise<PendingEmailSignIn | null>;
}
