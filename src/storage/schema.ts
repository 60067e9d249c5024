// Drizzle schema for Latchkey's D1 database. `migrations/` is generated from this file by
// drizzle-kit (`npm run db:generate`); CI fails when the two disagree.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    emailVerifiedAt: integer('email_verified_at'),
    // Set by the admin API: a disabled user cannot sign in, and every session check refuses them.
    disabledAt: integer('disabled_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    // Uniqueness is case-insensitive and enforced by the database, so two concurrent
    // registrations cannot both win.
    uniqueIndex('users_username_unique').on(sql`lower(${table.username})`),
    uniqueIndex('users_email_unique').on(sql`lower(${table.email})`),
    // The admin API lists users newest first, paging by (created_at, id).
    index('users_created_at').on(table.createdAt, table.id),
  ],
);

export const accounts = sqliteTable('accounts', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull().default('password'),
  // Null for an account with no password (it signs in with a passkey, and later by email or an
  // outside provider); it can set one.
  passwordHash: text('password_hash'),
  // Compare-and-set guard: moved by every reset of a credential (a new or removed password). A
  // reset token carries the version it was issued for and applies only while it is unchanged, so
  // one token changes the password once; sessions and pending sign-ins are bound to it.
  credentialVersion: integer('credential_version').notNull().default(0),
  passwordChangedAt: integer('password_changed_at'),
});

export const profiles = sqliteTable('profiles', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  displayName: text('display_name'),
  updatedAt: integer('updated_at').notNull(),
});

// Sessions live in D1, not KV: revocation must hold everywhere at once, a user's sessions must be
// listable, and refresh rotation needs an atomic compare-and-set. KV offers none of these (its
// deletes and lists lag by up to a minute at other locations, and it has no conditional write).
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    // The credential version the session was started under. A session is valid only while it
    // equals the account's current version, so a sign-in that raced a reset or change cannot
    // outlive it (see src/core/sessions/sessions.ts).
    credentialVersion: integer('credential_version').notNull().default(0),
    // How the sign-in was proven (RFC 8176 amr values, space-separated), carried into every
    // access token of the session. Empty for sessions from before it was recorded.
    amr: text('amr').notNull().default(''),
  },
  // expires_at: the hourly cleanup finds expired sessions without scanning the table.
  (table) => [index('sessions_user_id').on(table.userId), index('sessions_expires_at').on(table.expiresAt)],
);

// Refresh tokens, by digest. A rotated token keeps its row (with rotated_at) so that presenting
// it again is recognised: within the grace window as a concurrent refresh, after it as reuse.
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    digest: text('digest').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    rotatedAt: integer('rotated_at'),
    // When the one repeat the grace window allows was answered; a further repeat is reuse.
    graceUsedAt: integer('grace_used_at'),
    // Digest of the latest token handed out in exchange for this one. The rotation batch adds
    // the new row only if this names it, so a write that lost a race inserts nothing.
    successor: text('successor'),
  },
  (table) => [
    index('refresh_tokens_session_id').on(table.sessionId),
    // Only rotated tokens are ever forgotten by the cleanup; current ones stay out of this index.
    index('refresh_tokens_rotated_at')
      .on(table.rotatedAt)
      .where(sql`${table.rotatedAt} is not null`),
  ],
);

// Exact counters for throttling (failed logins per account, mails per address). D1 updates them
// atomically; KV allows one write per second per key and has no increment.
export const throttleCounters = sqliteTable('throttle_counters', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  windowStartedAt: integer('window_started_at').notNull(),
  blockedUntil: integer('blocked_until'),
});

// Two-step sign-in (src/core/mfa/mfa.ts). A user's TOTP factor: the secret encrypted under
// DATA_ENCRYPTION_KEY, pending until confirmed (enabled_at null), and the last accepted time
// step, moved forward only by a conditional update so a code works once.
export const totpFactors = sqliteTable('totp_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretCiphertext: text('secret_ciphertext').notNull(),
  enabledAt: integer('enabled_at'),
  lastUsedStep: integer('last_used_step'),
  createdAt: integer('created_at').notNull(),
  // Codes tried against a pending set-up: reserved before each check, so a stolen session gets at
  // most MFA_MAX_SETUP_ATTEMPTS guesses at the set-up code, in parallel too. A new secret resets it.
  setupAttempts: integer('setup_attempts').notNull().default(0),
});

// Recovery codes, by SHA-256 digest only; a used code's row is deleted.
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeDigest: text('code_digest').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.codeDigest] })],
);

// The second step of a sign-in: the digest of the mfaToken a right password earned, valid for
// minutes and a few wrong codes, deleted by the verify that wins.
export const mfaChallenges = sqliteTable(
  'mfa_challenges',
  {
    tokenDigest: text('token_digest').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    // The account's credential version when the password was checked: a change since ends the
    // challenge. Null (a challenge from before this column) is never live.
    credentialVersion: integer('credential_version'),
    // What the first step proved (RFC 8176 amr values, space-separated), for the session.
    amr: text('amr').notNull().default(''),
  },
  (table) => [index('mfa_challenges_expires_at').on(table.expiresAt)],
);

// Sign-in by email: one pending mail per address (a new mail replaces it), its link token and code
// stored as digests. Single use is one conditional delete; the code's tries are counted before each
// check. `user_id` is null for an account the first verify creates (with `username`).
export const emailSignIns = sqliteTable(
  'email_sign_ins',
  {
    email: text('email').primaryKey(),
    tokenDigest: text('token_digest').notNull().unique(),
    codeDigest: text('code_digest').notNull(),
    codeAttempts: integer('code_attempts').notNull().default(0),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    username: text('username'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('email_sign_ins_expires_at').on(table.expiresAt)],
);

// Passkeys (WebAuthn). Each user gets one random user handle, made on their first passkey and
// kept: authenticators store it with every passkey and send it back at sign-in.
export const passkeyUserHandles = sqliteTable('passkey_user_handles', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  handle: text('handle').notNull().unique(),
});

// A credential id names one passkey of one user, so a second registration of it (by anyone) fails.
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    credentialId: text('credential_id').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userHandle: text('user_handle').notNull(),
    publicKey: text('public_key').notNull(),
    algorithm: integer('algorithm').notNull(),
    signCount: integer('sign_count').notNull(),
    transports: text('transports').notNull(),
    aaguid: text('aaguid').notNull(),
    backupEligible: integer('backup_eligible', { mode: 'boolean' }).notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [index('passkeys_user_id').on(table.userId)],
);

// Issued ceremony challenges, in D1 rather than KV: using one is a conditional delete, so two
// requests with the same challenge have exactly one winner (KV has no atomic read-and-delete).
export const passkeyChallenges = sqliteTable(
  'passkey_challenges',
  {
    id: text('id').primaryKey(),
    challenge: text('challenge').notNull(),
    ceremony: text('ceremony').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    userHandle: text('user_handle'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('passkey_challenges_expires_at').on(table.expiresAt)],
);
