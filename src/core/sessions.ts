// Sessions and refresh tokens. A session is a row in D1; every authenticated request reads it
// (joined with the user), so deleting it revokes the session everywhere at once. Refresh tokens
// are 256-bit secrets stored as SHA-256 digests and rotated on every use. Presenting a rotated
// token again is reuse, which revokes the whole session (a stolen token is then useless to both
// parties), except within a short grace window in which a repeat is treated as a second tab
// refreshing at the same moment and gets its own fresh token.
import type { User } from './users';
import { digestToken, generateToken } from './random-token';

export interface Session {
  id: string;
  userId: string;
  /** A short description of the client, e.g. "Firefox on Linux". */
  userAgent: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

export interface RefreshTokenState {
  sessionId: string;
  rotatedAt: number | null;
}

export interface SessionRepository {
  create(session: Session, refreshDigest: string): Promise<void>;
  /** The session and its user, if the session exists, belongs to the user and has not expired. */
  findActive(sessionId: string, userId: string, now: number): Promise<{ session: Session; user: User } | null>;
  findRefreshToken(digest: string): Promise<{ token: RefreshTokenState; session: Session } | null>;
  /** Marks the token rotated; false when another request rotated it first. */
  markRotated(digest: string, now: number): Promise<boolean>;
  /** Adds a fresh refresh token, extends the session, and forgets tokens rotated before `forgetBefore`. */
  addRefreshToken(session: Session, digest: string, now: number, forgetBefore: number): Promise<void>;
  listForUser(userId: string, now: number): Promise<Session[]>;
  /** Deletes one session of the user; false when the user has no such session. */
  delete(userId: string, sessionId: string): Promise<boolean>;
  deleteAllForUser(userId: string, exceptSessionId?: string): Promise<void>;
}

/** How long a rotated refresh token stays recognised as reuse after the grace window. */
export const ROTATED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;

export async function startSession(
  repository: SessionRepository,
  input: { userId: string; userAgent: string; now: number; ttlSeconds: number },
): Promise<{ session: Session; refreshToken: string }> {
  const session: Session = {
    id: generateToken(18),
    userId: input.userId,
    userAgent: input.userAgent,
    createdAt: input.now,
    lastUsedAt: input.now,
    expiresAt: input.now + input.ttlSeconds * 1000,
  };
  const refreshToken = generateToken();
  await repository.create(session, await digestToken(refreshToken));
  return { session, refreshToken };
}

export type RefreshOutcome =
  | { status: 'rotated'; session: Session; refreshToken: string; concurrent: boolean }
  | { status: 'invalid' }
  | { status: 'reused'; session: Session };

/** Rotates a refresh token, telling a concurrent repeat (grace window) from reuse. */
export async function rotateRefreshToken(
  repository: SessionRepository,
  refreshToken: string,
  options: { now: number; ttlSeconds: number; graceMs: number },
): Promise<RefreshOutcome> {
  const { now } = options;
  if (!/^[A-Za-z0-9_-]{43}$/.test(refreshToken)) return { status: 'invalid' };
  const digest = await digestToken(refreshToken);
  const found = await repository.findRefreshToken(digest);
  if (!found || found.session.expiresAt <= now) return { status: 'invalid' };

  let concurrent: boolean;
  if (found.token.rotatedAt === null) {
    // The conditional update picks one winner among simultaneous refreshes; a loser was
    // rotated an instant ago by its twin, which is what the grace window is for.
    concurrent = !(await repository.markRotated(digest, now));
  } else if (now - found.token.rotatedAt <= options.graceMs) {
    concurrent = true;
  } else {
    await repository.delete(found.session.userId, found.session.id);
    return { status: 'reused', session: found.session };
  }

  const fresh = generateToken();
  const session: Session = { ...found.session, lastUsedAt: now, expiresAt: now + options.ttlSeconds * 1000 };
  await repository.addRefreshToken(session, await digestToken(fresh), now, now - ROTATED_TOKEN_MEMORY_MS);
  return { status: 'rotated', session, refreshToken: fresh, concurrent };
}
