// Sessions and refresh tokens. A session is a row in D1; every authenticated request reads it
// (joined with the user), so deleting it revokes the session everywhere at once. A session is
// bound to the credential version it was started under and is valid only while the account is
// still at that version, so no session made with an old password survives a reset or change.
// It ends after `SESSION_TTL_SECONDS` without a refresh, and in any case `SESSION_MAX_AGE_SECONDS`
// after sign-in.
//
// Refresh tokens are 256-bit secrets stored as SHA-256 digests and rotated on every use.
// Presenting a rotated token again is reuse, which revokes the whole session (a stolen token is
// then useless to both parties), except once within a short grace window, where the repeat is
// taken for a second tab refreshing at the same moment and gets its own fresh token.
import type { OutboxEvent } from '../events/catalogue';
import type { User } from '../accounts/users';
import { digestToken, generateToken } from '../kit/random-token';

/**
 * Authentication method references (RFC 8176 section 2) a sign-in can prove: `pwd` a password,
 * `otp` a one-time code (TOTP or recovery code), `hwk`/`swk` possession of a device-bound
 * (hardware) or synced (software) passkey, `user` a user-verification gesture, `mfa` more than one
 * factor, `fed` an outside identity provider's assertion.
 */
export type AuthenticationMethodReference = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa' | 'fed';

/** Reads stored amr values (space-separated), keeping only known ones. */
export function parseAmr(text: string): AuthenticationMethodReference[] {
  const known = new Set<string>(['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa', 'fed']);
  return text.split(' ').filter((value): value is AuthenticationMethodReference => known.has(value));
}

export interface Session {
  id: string;
  userId: string;
  /** A short description of the client, e.g. "Firefox on Linux". */
  userAgent: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  /** The account's credential version when the session started. */
  credentialVersion: number;
  /** How the sign-in was proven; empty for sessions from before it was recorded. */
  amr: AuthenticationMethodReference[];
}

export interface RefreshTokenState {
  sessionId: string;
  rotatedAt: number | null;
  /** When the grace window's one repeat was answered. */
  graceUsedAt: number | null;
}

export interface RefreshTokenExchange {
  digest: string;
  /** The token's `rotatedAt` as read: the exchange applies only if it is unchanged. */
  seenRotatedAt: number | null;
  successorDigest: string;
  /** The session as it will be: last use and expiry moved forward. */
  session: Session;
  now: number;
  /** Rotated tokens of the session older than this are forgotten. */
  forgetBefore: number;
}

/**
 * What the session flows need from storage: read a live session (with its user) by id or by
 * refresh-token digest, exchange a refresh token by compare-and-set, list, and delete. Every read
 * counts a session only while it is bound to the account's current credential version.
 */
export interface SessionRepository {
  /** The session and its user, if it exists, belongs to the user, has not expired and is bound to the current password. */
  findActive(sessionId: string, userId: string, now: number): Promise<{ session: Session; user: User } | null>;
  /** The token, its session and user, if the session is bound to the account's current password. */
  findRefreshToken(digest: string): Promise<{ token: RefreshTokenState; session: Session; user: User } | null>;
  /**
   * In one transaction, only if the token is still in the state read (`seenRotatedAt`, grace
   * unused) and its session is bound to the current password: marks the token rotated (or its
   * grace repeat used), adds the successor token and extends the session. False when anything
   * moved, and then nothing was written.
   */
  exchangeRefreshToken(exchange: RefreshTokenExchange): Promise<boolean>;
  listForUser(userId: string, now: number): Promise<Session[]>;
  /** Deletes one session of the user; false when the user has no such session. */
  delete(userId: string, sessionId: string, event?: OutboxEvent): Promise<boolean>;
  /** Deletes every session of the user but `exceptSessionId`; `event` is recorded if any went. */
  deleteAllForUser(userId: string, exceptSessionId?: string, event?: OutboxEvent): Promise<void>;
}

export interface SessionLifetime {
  /** Idle timeout: a session not refreshed for this long ends. */
  ttlSeconds: number;
  /** Absolute lifetime from sign-in, whatever the refreshes. */
  maxAgeSeconds: number;
}

/** How long a rotated refresh token stays recognised as reuse after the grace window. */
export const ROTATED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;

/** The expiry of a session used at `now`: the idle timeout, never past the absolute lifetime. */
export function sessionExpiry(createdAt: number, now: number, lifetime: SessionLifetime): number {
  return Math.min(now + lifetime.ttlSeconds * 1000, createdAt + lifetime.maxAgeSeconds * 1000);
}

/** A new session and its first refresh token; the caller stores both. */
export async function newSession(input: {
  userId: string;
  userAgent: string;
  credentialVersion: number;
  amr: AuthenticationMethodReference[];
  now: number;
  lifetime: SessionLifetime;
}): Promise<{ session: Session; refreshToken: string; refreshDigest: string }> {
  const session: Session = {
    id: generateToken(18),
    userId: input.userId,
    userAgent: input.userAgent,
    createdAt: input.now,
    lastUsedAt: input.now,
    expiresAt: sessionExpiry(input.now, input.now, input.lifetime),
    credentialVersion: input.credentialVersion,
    amr: input.amr,
  };
  const refreshToken = generateToken();
  return { session, refreshToken, refreshDigest: await digestToken(refreshToken) };
}

export type RefreshOutcome =
  | { status: 'rotated'; session: Session; user: User; refreshToken: string; concurrent: boolean }
  | { status: 'invalid' }
  | { status: 'reused'; session: Session };

function isLive(session: Session, now: number, lifetime: SessionLifetime): boolean {
  return session.expiresAt > now && session.createdAt + lifetime.maxAgeSeconds * 1000 > now;
}

/**
 * Rotates a refresh token, telling a concurrent repeat (grace window, once) from reuse. Each try
 * reads the token, decides, and writes only if the token is still as read; a write that lost to a
 * concurrent one reads again. A token only moves forward (unused, rotated, repeated, gone), so
 * three tries always settle it.
 */
export async function rotateRefreshToken(
  repository: SessionRepository,
  refreshToken: string,
  options: { now: number; lifetime: SessionLifetime; graceMs: number },
): Promise<RefreshOutcome> {
  const { now } = options;
  if (!/^[A-Za-z0-9_-]{43}$/.test(refreshToken)) return { status: 'invalid' };
  const digest = await digestToken(refreshToken);
  const successor = generateToken();
  const successorDigest = await digestToken(successor);

  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await repository.findRefreshToken(digest);
    if (!found || !isLive(found.session, now, options.lifetime)) return { status: 'invalid' };
    const { token } = found;
    const repeat = token.rotatedAt !== null;
    if (repeat && (token.graceUsedAt !== null || now - token.rotatedAt! > options.graceMs)) {
      await repository.delete(found.session.userId, found.session.id);
      return { status: 'reused', session: found.session };
    }
    const session: Session = {
      ...found.session,
      lastUsedAt: now,
      expiresAt: sessionExpiry(found.session.createdAt, now, options.lifetime),
    };
    const exchanged = await repository.exchangeRefreshToken({
      digest,
      seenRotatedAt: token.rotatedAt,
      successorDigest,
      session,
      now,
      forgetBefore: now - ROTATED_TOKEN_MEMORY_MS,
    });
    if (exchanged) return { status: 'rotated', session, user: found.user, refreshToken: successor, concurrent: repeat };
  }
  return { status: 'invalid' };
}
