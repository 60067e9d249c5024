// The records the contract suites start from, made through the ports themselves so that every
// implementation is set up the same way. Everything that knows the shape of a port's input (a new
// user, a session, a pending sign-in, a passkey) is here, so a port change is one edit.
import { expect } from 'vitest';
import type { Clock } from '../../src/core/kit/clock';
import type { ChallengeClaim } from '../../src/core/mfa/mfa-store';
import type { Passkey, PasskeyChallenge } from '../../src/core/passkeys/passkey-store';
import { digestToken, generateToken } from '../../src/core/kit/random-token';
import { type Session, newSession } from '../../src/core/sessions/sessions';
import type { NewUser, User } from '../../src/core/accounts/users';
import type { ContractStorage, OpenStorage } from './suite';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** When every behaviour starts, unless it says otherwise. */
export const T0 = Date.UTC(2026, 0, 15, 12);

export class TestClock implements Clock {
  constructor(public current = T0) {}
  now = () => this.current;
  advance(ms: number) {
    this.current += ms;
  }
}

/** The storage of one behaviour, and the clock its time-reading stores were given. */
export async function setUp(open: OpenStorage): Promise<{ s: ContractStorage; clock: TestClock }> {
  const clock = new TestClock();
  return { s: await open(clock), clock };
}

let counter = 0;

/** A unique name, for usernames, prefixes and keys that must not meet another behaviour's. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${counter}${crypto.randomUUID().slice(0, 8)}`;
}

export function newUserInput(overrides: Partial<NewUser> = {}): NewUser {
  const name = uniqueName();
  return {
    id: crypto.randomUUID(),
    username: name,
    email: `${name}@example.com`,
    passwordHash: '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0$aGFzaA',
    displayName: null,
    now: T0,
    ...overrides,
  };
}

export async function createUser(s: ContractStorage, overrides: Partial<NewUser> = {}): Promise<User> {
  const result = await s.users.create(newUserInput(overrides));
  if (!result.ok) throw new Error(`fixture user not created: ${result.conflict} taken`);
  return result.user;
}

/** The user's credential version now, which a new session or pending sign-in must name. */
export async function credentialVersionOf(s: ContractStorage, user: User): Promise<number> {
  const found = await s.users.findWithCredential({ username: user.username });
  if (!found) throw new Error('fixture user has no credential');
  return found.credential.credentialVersion;
}

export interface StartedSession {
  session: Session;
  refreshDigest: string;
}

/**
 * A session of `user` started through the login's conditional write, under the user's current
 * credential version, at `createdAt` (T0) and ending at `expiresAt` (an hour later).
 */
export async function startSession(
  s: ContractStorage,
  user: User,
  options: { createdAt?: number; expiresAt?: number; userAgent?: string } = {},
): Promise<StartedSession> {
  const createdAt = options.createdAt ?? T0;
  const started = await newSession({
    userId: user.id,
    userAgent: options.userAgent ?? 'contract test',
    credentialVersion: await credentialVersionOf(s, user),
    amr: ['pwd'],
    now: createdAt,
    lifetime: { ttlSeconds: HOUR / SECOND, maxAgeSeconds: DAY / SECOND },
  });
  const session = { ...started.session, expiresAt: options.expiresAt ?? createdAt + HOUR };
  expect((await s.logins.completeLogin(session, started.refreshDigest, [])).started).toBe(true);
  return { session, refreshDigest: started.refreshDigest };
}

export const newDigest = async () => digestToken(generateToken());

/**
 * Exchanges the refresh token `digest` of `session` for a new one at `now`, as a refresh that
 * read the token with `seenRotatedAt` would; the session's last use moves to `now`.
 */
export async function exchangeToken(
  s: ContractStorage,
  session: Session,
  digest: string,
  options: { now: number; seenRotatedAt?: number | null; forgetBefore?: number },
): Promise<{ exchanged: boolean; successorDigest: string }> {
  const successorDigest = await newDigest();
  const exchanged = await s.sessions.exchangeRefreshToken({
    digest,
    seenRotatedAt: options.seenRotatedAt ?? null,
    successorDigest,
    session: { ...session, lastUsedAt: options.now, expiresAt: options.now + HOUR },
    now: options.now,
    forgetBefore: options.forgetBefore ?? 0,
  });
  return { exchanged, successorDigest };
}

/** Turns TOTP on for `userId` with `secret` and the given recovery code digests. */
export async function enableTotp(
  s: ContractStorage,
  userId: string,
  options: { secret?: string; codes?: string[]; keepSessionId?: string; now?: number } = {},
): Promise<void> {
  const secretCiphertext = options.secret ?? 'v1.secret';
  const now = options.now ?? T0;
  expect(await s.mfa.savePendingTotp(userId, secretCiphertext, now)).toBe(true);
  const enabled = await s.mfa.enableTotp({
    userId,
    secretCiphertext,
    acceptedStep: 1,
    recoveryCodeDigests: options.codes ?? [],
    keepSessionId: options.keepSessionId ?? 'none',
    now,
  });
  expect(enabled).toBe(true);
}

/** A sign-in of `user` waiting for its second step, until `expiresAt`; returns the mfaToken's digest. */
export async function pendingSignIn(
  s: ContractStorage,
  user: User,
  options: { expiresAt?: number } = {},
): Promise<string> {
  const tokenDigest = await newDigest();
  await s.mfa.createChallenge({
    tokenDigest,
    userId: user.id,
    credentialVersion: await credentialVersionOf(s, user),
    amr: ['pwd'],
    expiresAt: options.expiresAt ?? T0 + 5 * MINUTE,
  });
  return tokenDigest;
}

export function claimOf(
  tokenDigest: string,
  options: { now?: number; maxFailedAttempts?: number } = {},
): ChallengeClaim {
  return { tokenDigest, now: options.now ?? T0, maxFailedAttempts: options.maxFailedAttempts ?? 5 };
}

export function newPasskey(userId: string, overrides: Partial<Passkey> = {}): Passkey {
  return {
    id: uniqueName('pk'),
    credentialId: uniqueName('cred'),
    userId,
    userHandle: `handle-${userId}`,
    publicKey: 'pQECAyYgASFYIA',
    algorithm: -7,
    signCount: 0,
    transports: ['internal', 'hybrid'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backupEligible: true,
    backedUp: false,
    name: 'Laptop',
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

export function newPasskeyChallenge(overrides: Partial<PasskeyChallenge> = {}): PasskeyChallenge {
  return {
    id: uniqueName('challenge'),
    challenge: generateToken(),
    ceremony: 'authentication',
    userId: null,
    userHandle: null,
    createdAt: T0,
    expiresAt: T0 + 5 * MINUTE,
    ...overrides,
  };
}
