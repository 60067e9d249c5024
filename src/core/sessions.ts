// Sessions live in KV, keyed by an unguessable id. A session is valid only while its record
// exists and its epoch equals the user's epoch in D1: deleting the record logs one session out,
// bumping the epoch logs out every session of the user at once, everywhere (D1 is strongly
// consistent; a KV delete can take ~60 s to reach other locations).
//
// The refresh token is `<sessionId>.<secret>`; the session keeps only the secret's digest, and
// every refresh replaces it, so a refresh token works once.
import { timingSafeEqual } from './encoding';
import { digestToken, generateToken } from './random-token';

export interface SessionRecord {
  id: string;
  userId: string;
  epoch: number;
  refreshDigest: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | null>;
  /** Stores the record until its expiresAt. */
  put(record: SessionRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * The ids of the user's sessions, as far as the store knows: may still name deleted or expired
   * sessions, so callers read each one before trusting it.
   */
  listIdsForUser(userId: string): Promise<string[]>;
}

export interface IssuedSession {
  session: SessionRecord;
  refreshToken: string;
}

export async function createSession(
  userId: string,
  epoch: number,
  now: number,
  ttlSeconds: number,
): Promise<IssuedSession> {
  const id = generateToken(18);
  const secret = generateToken();
  const session: SessionRecord = {
    id,
    userId,
    epoch,
    refreshDigest: await digestToken(secret),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + ttlSeconds * 1000,
  };
  return { session, refreshToken: `${id}.${secret}` };
}

/** Gives the session with a fresh refresh secret and an extended lifetime. */
export async function rotateSession(
  session: SessionRecord,
  now: number,
  ttlSeconds: number,
): Promise<IssuedSession> {
  const secret = generateToken();
  const rotated: SessionRecord = {
    ...session,
    refreshDigest: await digestToken(secret),
    lastUsedAt: now,
    expiresAt: now + ttlSeconds * 1000,
  };
  return { session: rotated, refreshToken: `${session.id}.${secret}` };
}

export function parseRefreshToken(token: string): { sessionId: string; secret: string } | null {
  const match = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{32,128})$/.exec(token);
  return match ? { sessionId: match[1]!, secret: match[2]! } : null;
}

export async function refreshSecretMatches(session: SessionRecord, secret: string): Promise<boolean> {
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(await digestToken(secret)), encoder.encode(session.refreshDigest));
}

export function isSessionLive(session: SessionRecord, userEpoch: number, now: number): boolean {
  return session.epoch === userEpoch && session.expiresAt > now;
}
