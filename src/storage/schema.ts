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

// --- Outside identity providers (issue 23): linked identities and pending authorizations. ---

// An identity at an outside provider (provider id, its subject) belongs to one account: the
// unique index decides two first sign-ins with the same identity.
export const identities = sqliteTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    // The address the provider gave at linking, shown on /account; never used to sign in.
    email: text('email'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [
    uniqueIndex('identities_provider_subject_unique').on(table.provider, table.subject),
    index('identities_user_id').on(table.userId),
  ],
);

// A redirect to an outside provider waiting for its callback, by the digest of its `state`; the
// browser's cookie holds the PKCE verifier, stored here only as a digest. Taken by one conditional
// delete, so a callback works once.
export const outsideAuthorizations = sqliteTable(
  'outside_authorizations',
  {
    stateDigest: text('state_digest').primaryKey(),
    provider: text('provider').notNull(),
    verifierDigest: text('verifier_digest').notNull(),
    nonce: text('nonce').notNull(),
    // Set when a signed-in account links the identity instead of signing in with it.
    linkUserId: text('link_user_id').references(() => users.id, { onDelete: 'cascade' }),
    returnTo: text('return_to'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('outside_authorizations_expires_at').on(table.expiresAt)],
);

// --- Events out (issue 25): the outbox, webhook endpoints and known devices. ---

// The outbox and the activity trail in one table: a row is written in the same batch as the change
// it reports; `dispatched_at` is set once its deliveries are handed to the queue. Kept 90 days.
// No foreign key to users: a user.deleted event outlives its user.
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    userId: text('user_id').notNull(),
    occurredAt: integer('occurred_at').notNull(),
    data: text('data').notNull(),
    dispatchedAt: integer('dispatched_at'),
  },
  (table) => [
    index('events_user_id_occurred_at').on(table.userId, table.occurredAt),
    index('events_occurred_at').on(table.occurredAt),
    index('events_pending')
      .on(table.occurredAt)
      .where(sql`${table.dispatchedAt} IS NULL`),
  ],
);

// Where webhooks go: the signing secret encrypted with the data key (it must be read back to sign);
// during a rotation the previous one signs too until `previous_secret_expires_at`.
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  events: text('events').notNull(),
  secretCiphertext: text('secret_ciphertext').notNull(),
  previousSecretCiphertext: text('previous_secret_ciphertext'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  createdAt: integer('created_at').notNull(),
  failingSince: integer('failing_since'),
  pausedAt: integer('paused_at'),
});

// The browsers and devices (parsed user agent) an account signed in from, for the new-device notice.
export const knownDevices = sqliteTable(
  'known_devices',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    device: text('device').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.device] })],
);

// ---- OpenID Provider (issue 24): registered clients, remembered consents, authorization codes,
// grants (what one code started) and their rotating refresh tokens. Secrets and codes as digests.
export const oauthClients = sqliteTable('oauth_clients', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secretDigest: text('secret_digest'),
  redirectUris: text('redirect_uris').notNull(),
  postLogoutRedirectUris: text('post_logout_redirect_uris').notNull(),
  public: integer('public').notNull(),
  firstParty: integer('first_party').notNull(),
  idTokenAlg: text('id_token_alg').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const oauthConsents = sqliteTable(
  'oauth_consents',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => oauthClients.id, { onDelete: 'cascade' }),
    scopes: text('scopes').notNull(),
    grantedAt: integer('granted_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.clientId] })],
);

export const oauthCodes = sqliteTable(
  'oauth_codes',
  {
    digest: text('digest').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => oauthClients.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    codeChallenge: text('code_challenge'),
    scopes: text('scopes').notNull(),
    nonce: text('nonce'),
    authTime: integer('auth_time').notNull(),
    amr: text('amr').notNull(),
    credentialVersion: integer('credential_version').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    grantId: text('grant_id'),
  },
  (table) => [index('oauth_codes_expires_at').on(table.expiresAt)],
);

export const oauthGrants = sqliteTable(
  'oauth_grants',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => oauthClients.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scopes: text('scopes').notNull(),
    authTime: integer('auth_time').notNull(),
    amr: text('amr').notNull(),
    credentialVersion: integer('credential_version').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('oauth_grants_user_client').on(table.userId, table.clientId)],
);

export const oauthRefreshTokens = sqliteTable(
  'oauth_refresh_tokens',
  {
    digest: text('digest').primaryKey(),
    grantId: text('grant_id')
      .notNull()
      .references(() => oauthGrants.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    rotatedAt: integer('rotated_at'),
    successorDigest: text('successor_digest'),
  },
  (table) => [index('oauth_refresh_tokens_grant_id').on(table.grantId)],
);
