// Single-purpose tokens sent by mail: email verification, password reset and email change. The token itself
// appears only in the link; KV holds its digest under a key that includes the purpose, so a
// token can only ever be found by the flow it was made for.
//
// KV keeps each record for a day past its expiry, so a late click is told "expired" (403)
// rather than "invalid". KV cannot delete atomically, so single use is not left to KV: each
// flow finishes with a conditional write in D1 that only the first use can win.
import { digestToken, generateToken } from '../kit/random-token';

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface EmailTokenRecord {
  purpose: EmailTokenPurpose;
  userId: string;
  email: string;
  /** For resets: the credential version the token may replace. */
  credentialVersion?: number;
  /** For email changes: the address to switch to (`email` is the one it replaces). */
  newEmail?: string;
  /** For email changes: the session that asked, which stays signed in. */
  sessionId?: string;
  expiresAt: number;
}

/**
 * Where mailed tokens are kept by digest, per purpose. The core needs a keyed read, a write that
 * lasts until `retainUntil`, and a delete; nothing conditional, since single use is decided by the
 * user store's conditional write.
 */
export interface EmailTokenStore {
  get(purpose: EmailTokenPurpose, digest: string): Promise<EmailTokenRecord | null>;
  /** Keeps the record until `retainUntil` (at least its expiry, so expiry can be reported). */
  put(digest: string, record: EmailTokenRecord, retainUntil: number): Promise<void>;
  delete(purpose: EmailTokenPurpose, digest: string): Promise<void>;
}

/** Seconds an expired token is still recognised as expired instead of unknown. */
export const EXPIRED_TOKEN_RETENTION_SECONDS = 24 * 60 * 60;

export async function issueEmailToken(
  store: EmailTokenStore,
  record: Omit<EmailTokenRecord, 'expiresAt'>,
  now: number,
  ttlSeconds: number,
): Promise<string> {
  const token = generateToken();
  const expiresAt = now + ttlSeconds * 1000;
  await store.put(
    await digestToken(token),
    { ...record, expiresAt },
    expiresAt + EXPIRED_TOKEN_RETENTION_SECONDS * 1000,
  );
  return token;
}

export type EmailTokenLookup =
  { status: 'valid'; record: EmailTokenRecord; digest: string } | { status: 'expired' } | { status: 'invalid' };

/**
 * Finds a token for one purpose. An expired token is left for KV's TTL to delete a day later, so
 * every late click within that day is told "expired", not just the first.
 */
export async function lookUpEmailToken(
  store: EmailTokenStore,
  purpose: EmailTokenPurpose,
  token: string,
  now: number,
): Promise<EmailTokenLookup> {
  if (!/^[A-Za-z0-9_-]{20,128}$/.test(token)) return { status: 'invalid' };
  const digest = await digestToken(token);
  const record = await store.get(purpose, digest);
  if (!record || record.purpose !== purpose) return { status: 'invalid' };
  if (record.expiresAt <= now) return { status: 'expired' };
  return { status: 'valid', record, digest };
}
