// The Cron Trigger's cleanup, run through the scheduled handler against the real local D1: rows
// that can still change an answer stay, the rest go.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ExpiredRecordLimits } from '../src/core/sessions/expired-records';
import { digestToken, generateToken } from '../src/core/kit/random-token';
import { ROTATED_TOKEN_MEMORY_MS } from '../src/core/sessions/sessions';
import worker from '../src/index';
import { createScheduledHandler } from '../src/scheduled';
import { createD1UserRepository } from '../src/storage/d1-user-repository';
import { TestClock, createHarness, uniqueIdentity } from './support/harness';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const users = createD1UserRepository(env.DB);

async function runCleanup(clock: TestClock, options: { limits?: ExpiredRecordLimits; logs?: string[] } = {}) {
  const handler = createScheduledHandler({ clock, log: (line) => options.logs?.push(line), limits: options.limits });
  const ctx = createExecutionContext();
  await handler(createScheduledController({ cron: '17 * * * *', scheduledTime: clock.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function newUserId(now: number): Promise<string> {
  const identity = uniqueIdentity('sweep');
  const id = crypto.randomUUID();
  await users.create({ id, ...identity, passwordHash: '$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA', displayName: null, now });
  return id;
}

// Rows are seeded with plain SQL: the cleanup reads the tables, whatever wrote them.

/** A session with its first refresh token; returns its id and the token's digest. */
async function newSession(userId: string, createdAt: number, expiresAt: number) {
  const session = { id: generateToken(18), userId, createdAt, expiresAt };
  const digest = await digestToken(generateToken());
  await env.DB.batch([
    env.DB.prepare(
      `insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at) values (?1, ?2, 'test', ?3, ?3, ?4)`,
    ).bind(session.id, userId, createdAt, expiresAt),
    env.DB.prepare(`insert into refresh_tokens (digest, session_id, created_at) values (?1, ?2, ?3)`).bind(
      digest,
      session.id,
      createdAt,
    ),
  ]);
  return { session, digest };
}

/** A refresh token of the session, rotated at `rotatedAt` (or current when null). */
async function addRefreshToken(sessionId: string, createdAt: number, rotatedAt: number | null) {
  const digest = await digestToken(generateToken());
  await env.DB.prepare(
    `insert into refresh_tokens (digest, session_id, created_at, rotated_at) values (?1, ?2, ?3, ?4)`,
  )
    .bind(digest, sessionId, createdAt, rotatedAt)
    .run();
  return digest;
}

async function setCounter(key: string, count: number, windowStartedAt: number, blockedUntil: number | null = null) {
  await env.DB.prepare(
    `insert into throttle_counters (key, count, window_started_at, blocked_until) values (?1, ?2, ?3, ?4)`,
  )
    .bind(key, count, windowStartedAt, blockedUntil)
    .run();
}

/** A pending two-step sign-in challenge (an mfaToken's row) expiring at `expiresAt`; returns its digest. */
async function newMfaChallenge(userId: string, expiresAt: number) {
  const digest = await digestToken(generateToken());
  await env.DB.prepare(
    `insert into mfa_challenges (token_digest, user_id, expires_at, failed_attempts) values (?1, ?2, ?3, 0)`,
  )
    .bind(digest, userId, expiresAt)
    .run();
  return digest;
}

async function exists(
  table: 'sessions' | 'refresh_tokens' | 'throttle_counters' | 'mfa_challenges',
  column: string,
  value: string,
) {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${column} = ?`)
    .bind(value)
    .first<{ n: number }>();
  return row!.n === 1;
}

const sessionExists = (id: string) => exists('sessions', 'id', id);
const refreshTokenExists = (digest: string) => exists('refresh_tokens', 'digest', digest);
const counterExists = (key: string) => exists('throttle_counters', 'key', key);
const mfaChallengeExists = (digest: string) => exists('mfa_challenges', 'token_digest', digest);

describe('scheduled cleanup', () => {
  it('deletes sessions that have expired, with their refresh tokens, and keeps live ones', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const userId = await newUserId(now - 40 * DAY);
    // Live sessions first: starting a session drops the user's sessions that expired before it.
    const live = await newSession(userId, now - DAY, now + 1);
    const expired = await newSession(userId, now - 31 * DAY, now - DAY);
    const expiringNow = await newSession(userId, now - 30 * DAY, now);

    await runCleanup(clock);

    expect(await sessionExists(live.session.id)).toBe(true);
    expect(await refreshTokenExists(live.digest)).toBe(true);
    for (const gone of [expired, expiringNow]) {
      expect(await sessionExists(gone.session.id)).toBe(false);
      expect(await refreshTokenExists(gone.digest)).toBe(false);
    }
  });

  it('deletes refresh tokens rotated longer ago than the reuse memory, and keeps the rest', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const { session } = await newSession(await newUserId(now), now - 2 * DAY, now + DAY);
    const forgotten = await addRefreshToken(session.id, now - 2 * DAY, now - ROTATED_TOKEN_MEMORY_MS - 1);
    const remembered = await addRefreshToken(
      session.id,
      now - ROTATED_TOKEN_MEMORY_MS - 1,
      now - ROTATED_TOKEN_MEMORY_MS,
    );
    const current = await addRefreshToken(session.id, now - HOUR, null);

    await runCleanup(clock);

    expect(await refreshTokenExists(forgotten)).toBe(false);
    expect(await refreshTokenExists(remembered)).toBe(true);
    expect(await refreshTokenExists(current)).toBe(true);
    expect(await sessionExists(session.id)).toBe(true);
  });

  it('deletes two-step sign-in challenges that have expired, and keeps live ones', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const userId = await newUserId(now - DAY);
    const live = await newMfaChallenge(userId, now + 1);
    const expired = await newMfaChallenge(userId, now - MINUTE);
    const expiringNow = await newMfaChallenge(userId, now);
    const logs: string[] = [];

    await runCleanup(clock, { logs });

    expect(await mfaChallengeExists(live)).toBe(true);
    expect(await mfaChallengeExists(expired)).toBe(false);
    expect(await mfaChallengeExists(expiringNow)).toBe(false);
    expect(JSON.parse(logs[0]!)).toMatchObject({ event: 'cleanup.completed', mfaChallenges: 2 });
  });

  it('deletes expired two-step sign-in challenges in bounded batches too', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const userId = await newUserId(now - DAY);
    const expired = [];
    for (let i = 0; i < 5; i += 1) expired.push(await newMfaChallenge(userId, now - MINUTE + i));
    const logs: string[] = [];
    const limits = { batchSize: 2, maxBatches: 2 };

    await runCleanup(clock, { limits, logs });
    const left = [];
    for (const digest of expired) if (await mfaChallengeExists(digest)) left.push(digest);
    expect(left).toHaveLength(1);
    expect(JSON.parse(logs[0]!)).toMatchObject({ mfaChallenges: 4, incomplete: true });

    await runCleanup(clock, { limits, logs });
    expect(await mfaChallengeExists(left[0]!)).toBe(false);
    expect(JSON.parse(logs[1]!)).toMatchObject({ incomplete: false });
  });

  it('deletes counters whose window and lock-out are both over, and keeps counters still in force', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const key = (name: string) => `${name}:${crypto.randomUUID()}`;
    const spentLogin = key('login:user');
    await setCounter(spentLogin, 1, now - 16 * MINUTE);
    const countingLogin = key('login:identifier');
    await setCounter(countingLogin, 1, now - 14 * MINUTE);
    // Locked at its second failure 10 minutes ago: the window is over but the lock-out is not.
    const lockedLogin = key('login:user');
    await setCounter(lockedLogin, 2, now - 20 * MINUTE, now + 20 * MINUTE);
    const spentMail = key('mail:verify');
    await setCounter(spentMail, 1, now - HOUR);
    const countingMail = key('mail:reset');
    await setCounter(countingMail, 1, now - 59 * MINUTE);
    const unknownFamily = key('other');
    await setCounter(unknownFamily, 1, now - 30 * DAY);

    await runCleanup(clock);

    expect(await counterExists(spentLogin)).toBe(false);
    expect(await counterExists(spentMail)).toBe(false);
    for (const kept of [countingLogin, lockedLogin, countingMail, unknownFamily]) {
      expect(await counterExists(kept)).toBe(true);
    }
  });

  it('forgets the counters of a failed sign-in and of sent mail once their windows are over', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('forget');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'not the password' },
    });
    const countersOf = async () => {
      const { results } = await env.DB.prepare(
        `select key from throttle_counters where key like '%' || (select id from users where username = ?1)`,
      )
        .bind(identity.username)
        .all<{ key: string }>();
      return results.map((row) => row.key.split(':')[0]).sort();
    };
    expect(await countersOf()).toEqual(['login', 'mail']);

    harness.clock.advance(15 * MINUTE);
    await runCleanup(harness.clock);
    expect(await countersOf()).toEqual(['mail']);

    harness.clock.advance(45 * MINUTE);
    await runCleanup(harness.clock);
    expect(await countersOf()).toEqual([]);
  });

  it('deletes in bounded batches, leaving the rest for the next run', async () => {
    const clock = new TestClock();
    const now = clock.now();
    const userId = await newUserId(now - 40 * DAY);
    const expired = [];
    for (let i = 0; i < 5; i += 1) expired.push(await newSession(userId, now - 31 * DAY, now - DAY + i));
    const logs: string[] = [];

    await runCleanup(clock, { limits: { batchSize: 2, maxBatches: 2 }, logs });
    const left = [];
    for (const { session } of expired) if (await sessionExists(session.id)) left.push(session.id);
    expect(left).toHaveLength(1);
    expect(JSON.parse(logs[0]!)).toMatchObject({ event: 'cleanup.completed', sessions: 4, incomplete: true });

    await runCleanup(clock, { limits: { batchSize: 2, maxBatches: 2 }, logs });
    expect(await sessionExists(left[0]!)).toBe(false);
    expect(JSON.parse(logs[1]!)).toMatchObject({ sessions: 1, incomplete: false });
  });

  it('is the scheduled handler of the worker', async () => {
    const now = Date.now();
    const userId = await newUserId(now - 40 * DAY);
    const live = await newSession(userId, now, now + DAY);
    const expired = await newSession(userId, now - 31 * DAY, now - DAY);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '17 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await sessionExists(live.session.id)).toBe(true);
    expect(await sessionExists(expired.session.id)).toBe(false);
  });
});
