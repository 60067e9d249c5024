// The rows of the memory storage, shared by its ports as D1's tables are shared by the D1 ones.
// Every port method reads and writes them synchronously between awaits, so each call is atomic,
// as each D1 batch is a transaction: the conditional-write rules hold under Promise.all.
import { KNOWN_DEVICE_MS, type OutboxEvent, type StoredEvent } from '../../core/events/catalogue';
import type { WebhookEndpoint } from '../../core/events/event-store';
import type { PendingEmailSignIn } from '../../core/email-sign-in/email-sign-in-store';
import type { TotpFactor } from '../../core/mfa/mfa-store';
import type { Passkey } from '../../core/passkeys/passkey-store';
import type { AuthenticationMethodReference, Session } from '../../core/sessions/sessions';
import type { PasswordCredential, User } from '../../core/accounts/users';

export interface RefreshTokenRow {
  sessionId: string;
  createdAt: number;
  rotatedAt: number | null;
  graceUsedAt: number | null;
}

export interface CounterRow {
  count: number;
  windowStartedAt: number;
  blockedUntil: number | null;
}

export interface MfaChallengeRow {
  userId: string;
  expiresAt: number;
  failedAttempts: number;
  credentialVersion: number;
  amr: AuthenticationMethodReference[];
}

export interface MemoryTables {
  users: Map<string, User>;
  credentials: Map<string, PasswordCredential>;
  sessions: Map<string, Session>;
  refreshTokens: Map<string, RefreshTokenRow>;
  counters: Map<string, CounterRow>;
  /** Two-step sign-in, by user id; recovery codes as a set of digests per user. */
  totpFactors: Map<string, TotpFactor>;
  recoveryCodes: Map<string, Set<string>>;
  /** Codes tried against each pending set-up (D1's `setup_attempts`). */
  totpSetupAttempts: Map<string, number>;
  mfaChallenges: Map<string, MfaChallengeRow>;
  /** Pending sign-ins by email, by address. */
  emailSignIns: Map<string, PendingEmailSignIn & { codeAttempts: number }>;
  /** Passkeys by their own id. */
  passkeys: Map<string, Passkey>;
  /** The outbox (events out), by event id, in insertion order. */
  events: Map<string, OutboxEvent & { dispatchedAt: number | null }>;
  webhookEndpoints: Map<string, WebhookEndpoint>;
  /** Last sign-in per device, by user id then device. */
  knownDevices: Map<string, Map<string, number>>;
}

export function createMemoryTables(): MemoryTables {
  return {
    users: new Map(),
    credentials: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    counters: new Map(),
    totpFactors: new Map(),
    recoveryCodes: new Map(),
    totpSetupAttempts: new Map(),
    mfaChallenges: new Map(),
    emailSignIns: new Map(),
    passkeys: new Map(),
    events: new Map(),
    webhookEndpoints: new Map(),
    knownDevices: new Map(),
  };
}

/** The user a username or email names, compared case-insensitively like the D1 queries. */
export function findUserBy(tables: MemoryTables, key: { email: string } | { username: string }): User | null {
  const [field, value] = 'email' in key ? (['email', key.email] as const) : (['username', key.username] as const);
  for (const user of tables.users.values()) {
    if (user[field].toLowerCase() === value.toLowerCase()) return user;
  }
  return null;
}

/** A session counts only while its account is still at the credential version it started under. */
export function isBoundToCurrentPassword(tables: MemoryTables, session: Session): boolean {
  return tables.credentials.get(session.userId)?.credentialVersion === session.credentialVersion;
}

/**
 * Adds an event to the outbox, as the D1 writes' `insert or ignore` does; a session.created with a
 * device gets `newDevice` and remembers the device, as d1-event-outbox.ts's outboxStatements.
 */
export function recordEvent(tables: MemoryTables, event: OutboxEvent | undefined): StoredEvent | null {
  if (!event || tables.events.has(event.id)) return null;
  // Like D1's insert: stored as handed on when no live endpoint subscribes to it.
  const awaitsDispatch = [...tables.webhookEndpoints.values()].some(
    (endpoint) => endpoint.pausedAt === null && endpoint.events.includes(event.type),
  );
  const dispatchedAt = awaitsDispatch ? null : event.occurredAt;
  const device = event.data.device;
  if (event.type !== 'session.created' || typeof device !== 'string') {
    tables.events.set(event.id, { ...event, dispatchedAt });
    return { event, awaitsDispatch };
  }
  const devices = tables.knownDevices.get(event.userId) ?? new Map<string, number>();
  const lastSeenAt = devices.get(device);
  const newDevice = devices.size > 0 && !(lastSeenAt !== undefined && lastSeenAt > event.occurredAt - KNOWN_DEVICE_MS);
  const stored = { ...event, data: { ...event.data, newDevice } };
  tables.events.set(event.id, { ...stored, dispatchedAt });
  devices.set(device, event.occurredAt);
  tables.knownDevices.set(event.userId, devices);
  return { event: stored, awaitsDispatch };
}

/** Deletes a session with its refresh tokens, as D1's foreign-key cascade does. */
export function deleteSessionRow(tables: MemoryTables, sessionId: string): boolean {
  for (const [digest, token] of tables.refreshTokens) {
    if (token.sessionId === sessionId) tables.refreshTokens.delete(digest);
  }
  return tables.sessions.delete(sessionId);
}
