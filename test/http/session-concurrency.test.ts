// Sessions and refresh rotation hold when requests run in parallel (issue 8).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Harness, type TokenBody, createHarness, signedInUser, tokenFromMail } from '../support/harness';

const DAY = 24 * 60 * 60 * 1000;

const login = (harness: Harness, identifier: string, password: string, address?: string) =>
  harness.request('/auth/login', {
    method: 'POST',
    json: { identifier, password },
    headers: address ? { 'cf-connecting-ip': address } : {},
  });

const refresh = (harness: Harness, refreshToken: string) =>
  harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });

async function resetPassword(harness: Harness, email: string, password: string) {
  await harness.request('/auth/forgot-password', { method: 'POST', json: { email } });
  const token = await tokenFromMail(harness, email, '/reset-password');
  return harness.request('/auth/reset-password', { method: 'POST', json: { token, password } });
}

const counts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>(
    (tally, { status }) => ({ ...tally, [status]: (tally[status] ?? 0) + 1 }),
    {},
  );

/** The rows of a session and its refresh tokens, to replay a login that wrote them late. */
async function snapshotSession(sessionId: string) {
  const session = await env.DB.prepare('select * from sessions where id = ?').bind(sessionId).first();
  const { results: tokens } = await env.DB.prepare('select * from refresh_tokens where session_id = ?')
    .bind(sessionId)
    .all();
  return async () => {
    const insert = (table: string, row: Record<string, unknown>) =>
      env.DB.prepare(
        `insert into ${table} (${Object.keys(row).join(', ')}) values (${Object.keys(row)
          .map(() => '?')
          .join(', ')})`,
      ).bind(...Object.values(row));
    await env.DB.batch([insert('sessions', session!), ...tokens.map((row) => insert('refresh_tokens', row))]);
  };
}

async function sessionIdOf(harness: Harness, accessToken: string): Promise<string> {
  const listed = (await (await harness.request('/auth/sessions', { token: accessToken })).json()) as {
    sessions: { id: string; current: boolean }[];
  };
  return listed.sessions.find((session) => session.current)!.id;
}

describe('sessions bound to the password', () => {
  it('refuses a session written after a reset by a login that checked the old password', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'race');
    // The race: the login's password check passed, then the reset committed, then the login's
    // session insert landed. Replaying the rows after the reset gives that end state.
    const replayLateInsert = await snapshotSession(await sessionIdOf(harness, tokens.accessToken));
    expect((await resetPassword(harness, identity.email, 'a whole new password')).status).toBe(200);
    await replayLateInsert();
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await refresh(harness, tokens.refreshToken)).status).toBe(400);
  });

  it('does not start a session when the password changed during the login', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'late');
    const { createD1LoginStore } = await import('../../src/storage/d1-login-store');
    const row = await env.DB.prepare('select credential_version from accounts where user_id = ?')
      .bind(tokens.user.id)
      .first<{ credential_version: number }>();
    expect((await resetPassword(harness, identity.email, 'a whole new password')).status).toBe(200);
    const now = harness.clock.now();
    const session = {
      id: `late-${crypto.randomUUID()}`,
      userId: tokens.user.id,
      userAgent: 'test',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + DAY,
      credentialVersion: row!.credential_version,
      amr: [],
    };
    expect((await createD1LoginStore(env.DB).completeLogin(session, `digest-${session.id}`, [])).started).toBe(false);
    const stored = await env.DB.prepare('select count(*) as n from sessions where id = ?').bind(session.id).first();
    expect(stored).toEqual({ n: 0 });
  });

  it('does not start a session, nor fail, when the account was deleted during the login', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'deleted');
    const { createD1LoginStore } = await import('../../src/storage/d1-login-store');
    const deleted = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    expect(deleted.status).toBe(204);
    const now = harness.clock.now();
    const session = {
      id: `orphan-${crypto.randomUUID()}`,
      userId: tokens.user.id,
      userAgent: 'test',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + DAY,
      credentialVersion: 0,
      amr: [],
    };
    expect((await createD1LoginStore(env.DB).completeLogin(session, `digest-${session.id}`, [])).started).toBe(false);
  });

  it('keeps the session that changed the password refreshable, and only that one', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'keeper');
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const changed = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: identity.password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect((await refresh(harness, tokens.refreshToken)).status).toBe(200);
    expect((await refresh(harness, other.refreshToken)).status).toBe(400);
  });
});

describe('absolute session lifetime', () => {
  it('refuses a refresh 90 days after sign-in however often the session was refreshed', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'maxage');
    const signedInAt = harness.clock.now();
    let refreshToken = tokens.refreshToken;
    for (let day = 20; day < 90; day += 20) {
      harness.clock.advance(20 * DAY);
      const response = await refresh(harness, refreshToken);
      expect(response.status, `day ${day}`).toBe(200);
      refreshToken = ((await response.json()) as TokenBody).refreshToken;
    }
    const { results } = await env.DB.prepare('select created_at, expires_at from sessions where user_id = ?')
      .bind(tokens.user.id)
      .all<{ created_at: number; expires_at: number }>();
    expect(results).toEqual([{ created_at: signedInAt, expires_at: signedInAt + 90 * DAY }]);
    harness.clock.advance(10 * DAY + 1000);
    expect((await refresh(harness, refreshToken)).status).toBe(400);
  });

  it('refuses a maximum age shorter than the idle timeout', async () => {
    const harness = createHarness({ env: { SESSION_MAX_AGE_SECONDS: '3600', SESSION_TTL_SECONDS: '7200' } });
    expect((await harness.request('/health')).status).toBe(500);
  });
});

describe('refresh racing a deletion', () => {
  it('answers 400, never 500, when the session goes between reading and rotating the token', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'gone');
    const { createD1SessionRepository } = await import('../../src/storage/d1-session-repository');
    const { digestToken } = await import('../../src/core/kit/random-token');
    const sessions = createD1SessionRepository(env.DB);
    const digest = await digestToken(tokens.refreshToken);
    const found = await sessions.findRefreshToken(digest);
    await env.DB.prepare('delete from sessions where id = ?').bind(found!.session.id).run();
    const exchanged = await sessions.exchangeRefreshToken({
      digest,
      seenRotatedAt: null,
      successorDigest: await digestToken(crypto.randomUUID()),
      session: found!.session,
      now: harness.clock.now(),
      forgetBefore: 0,
    });
    expect(exchanged).toBe(false);
  });

  for (const [name, end] of [
    ['logout', (h: Harness, t: TokenBody) => h.request('/auth/logout', { method: 'POST', token: t.accessToken })],
    [
      'logout-all',
      (h: Harness, t: TokenBody) => h.request('/auth/logout-all', { method: 'POST', token: t.accessToken }),
    ],
    [
      'account deletion',
      (h: Harness, t: TokenBody) =>
        h.request('/me', { method: 'DELETE', token: t.accessToken, json: { password: 'correct horse battery' } }),
    ],
  ] as const) {
    it(`answers refreshes racing ${name} with 200 or 400 only`, async () => {
      const harness = createHarness();
      const { tokens } = await signedInUser(harness, 'racer');
      const answers = await Promise.all([
        refresh(harness, tokens.refreshToken),
        end(harness, tokens),
        refresh(harness, tokens.refreshToken),
      ]);
      expect([answers[0]!.status, answers[2]!.status].every((status) => status === 200 || status === 400)).toBe(true);
      expect(answers[1]!.status).toBe(204);
    });
  }
});

describe('the grace window', () => {
  it('gives a rotated token one sibling; a further repeat revokes the session', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'sibling');
    const first = (await (await refresh(harness, tokens.refreshToken)).json()) as TokenBody;
    const sibling = await refresh(harness, tokens.refreshToken);
    expect(sibling.status).toBe(200);
    const third = await refresh(harness, tokens.refreshToken);
    expect(third.status).toBe(400);
    expect((await harness.request('/me', { token: first.accessToken })).status).toBe(401);
    expect(harness.logs.some((line) => line.includes('"refresh.reused"'))).toBe(true);
  });

  it('answers three parallel presentations of one token with two tokens and a revocation', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'triple');
    const answers = await Promise.all([1, 2, 3].map(() => refresh(harness, tokens.refreshToken)));
    expect(counts(answers)).toEqual({ 200: 2, 400: 1 });
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
  });
});
