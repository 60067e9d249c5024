import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  type Harness,
  type TokenBody,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from './support/harness';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

async function failureCount(userId: string): Promise<number> {
  const row = await env.DB.prepare('select count from throttle_counters where key = ?')
    .bind(`login:user:${userId}`)
    .first<{ count: number }>();
  return row?.count ?? 0;
}

describe('per-client rate limits', () => {
  it('answers 429 rate_limited with Retry-After once a client passes the login limit', async () => {
    const harness = createHarness();
    const statuses: number[] = [];
    // A different identifier each time, so the per-account throttle does not answer first.
    for (let i = 0; i < 20; i++) statuses.push((await login(harness, `nobody_${i}`, 'wrong password')).status);
    expect(statuses.every((status) => status === 401)).toBe(true);
    const limited = await login(harness, 'nobody_20', 'wrong password');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('keys the limit on CF-Connecting-IP, not on X-Forwarded-For', async () => {
    const harness = createHarness();
    for (let i = 0; i < 20; i++) {
      await login(harness, `nobody_${i}`, 'wrong password', { 'x-forwarded-for': `198.51.100.${i}` });
    }
    const spoofed = await login(harness, 'nobody_20', 'wrong password', { 'x-forwarded-for': '198.51.100.250' });
    expect(spoofed.status).toBe(429);
    const otherClient = await login(harness, 'nobody_21', 'wrong password', {
      'cf-connecting-ip': `192.0.2.${Math.floor(Math.random() * 250)}`,
    });
    expect(otherClient.status).toBe(401);
  });

  it('limits forgot-password per client more tightly', async () => {
    const harness = createHarness();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await harness.request('/auth/forgot-password', { method: 'POST', json: { email: 'x@example.com' } })).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('per-account login throttle', () => {
  it('locks the account after 10 failures, even for the right password, from any address', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 10; i++) {
      const attempt = await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
      expect(attempt.status).toBe(401);
    }
    const right = await login(harness, identity.username, identity.password, { 'cf-connecting-ip': '192.0.2.200' });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await right.json()).toMatchObject({ code: 'rate_limited' });
    // By the other identifier the refusal looks like a wrong password (see the enumeration test).
    const byEmail = await login(harness, identity.email, identity.password, { 'cf-connecting-ip': '192.0.2.201' });
    expect(byEmail.status).toBe(401);
    expect(await byEmail.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('lets the account in again after the back-off period', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 10; i++)
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    harness.clock.advance(15 * 60 * 1000 + 1000);
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
  });

  it('clears the count on a successful login', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    for (let i = 0; i < 9; i++)
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
    expect(await failureCount(tokens.user.id)).toBe(0);
    expect((await login(harness, identity.username, 'wrong password')).status).toBe(401);
    expect(await failureCount(tokens.user.id)).toBe(1);
  });

  it('counts 50 parallel failures as exactly 50', async () => {
    const harness = createHarness({ env: { LOGIN_MAX_FAILURES: '100' } });
    const { identity, tokens } = await signedInUser(harness);
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        login(harness, identity.username, `wrong password ${i}`, {
          'cf-connecting-ip': `2001:db8:50:${i.toString(16)}::1`, // one /64 each: a client per attempt
        }),
      ),
    );
    expect(attempts.every((response) => response.status === 401)).toBe(true);
    expect(await failureCount(tokens.user.id)).toBe(50);
  });

  it('answers a throttled unknown identifier exactly like a throttled real one', async () => {
    const harness = createHarness({ env: { LOGIN_MAX_FAILURES: '3' } });
    const { identity } = await signedInUser(harness);
    const ghost = `ghost_${identity.username}`;
    for (let i = 0; i < 3; i++) {
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
      await login(harness, ghost, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    }
    const real = await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': '192.0.2.9' });
    const unknown = await login(harness, ghost, 'wrong password', { 'cf-connecting-ip': '192.0.2.9' });
    expect(real.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(await unknown.json()).toEqual(await real.json());
    expect(unknown.headers.get('retry-after')).toBe(real.headers.get('retry-after'));
  });
});

describe('mail quota', () => {
  it('sends at most 3 reset mails per address per hour while the answer never changes', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 5; i++) {
      const response = await harness.request('/auth/forgot-password', {
        method: 'POST',
        json: { email: identity.email },
        headers: { 'cf-connecting-ip': `192.0.2.${i}` },
      });
      expect(response.status).toBe(202);
    }
    const resets = (await harness.mailbox()).filter(
      (mail) => mail.to === identity.email && mail.subject.includes('Reset'),
    );
    expect(resets).toHaveLength(3);
    harness.clock.advance(60 * 60 * 1000 + 1000);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const later = (await harness.mailbox()).filter(
      (mail) => mail.to === identity.email && mail.subject.includes('Reset'),
    );
    expect(later).toHaveLength(4);
  });
});

describe('refresh-token reuse', () => {
  it('gives a repeat within the grace window its own working token, as for two tabs', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const refresh = (refreshToken: string) =>
      harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });
    const [tabA, tabB] = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect(tabA!.status).toBe(200);
    expect(tabB!.status).toBe(200);
    const a = (await tabA!.json()) as TokenBody;
    const b = (await tabB!.json()) as TokenBody;
    expect(a.refreshToken).not.toBe(b.refreshToken);
    harness.clock.advance(5 * 60 * 1000);
    expect((await refresh(a.refreshToken)).status).toBe(200);
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });

  it('revokes the whole session when a rotated token comes back after the grace window', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const refresh = (refreshToken: string) =>
      harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });
    const legit = (await (await refresh(tokens.refreshToken)).json()) as TokenBody;
    harness.clock.advance(31_000);
    expect((await refresh(tokens.refreshToken)).status).toBe(400);
    expect((await harness.request('/me', { token: legit.accessToken })).status).toBe(401);
    expect((await refresh(legit.refreshToken)).status).toBe(400);
    expect(harness.logs.some((line) => line.includes('"refresh.reused"'))).toBe(true);
  });
});

describe('session management', () => {
  it('lists the caller’s sessions with the current one marked', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    await login(harness, identity.username, identity.password, {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
    });
    const response = await harness.request('/auth/sessions', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as { sessions: { id: string; current: boolean; userAgent: string }[] };
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    expect(sessions.map((session) => session.userAgent)).toContain('Firefox on Linux');
  });

  it('revokes one session by id, and 404s for a session that is not the caller’s', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const { sessions } = (await (await harness.request('/auth/sessions', { token: tokens.accessToken })).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const otherId = sessions.find((session) => !session.current)!.id;
    const stranger = await signedInUser(harness, 'stranger');
    expect(
      (await harness.request(`/auth/sessions/${otherId}`, { method: 'DELETE', token: stranger.tokens.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await harness.request(`/auth/sessions/${otherId}`, { method: 'DELETE', token: tokens.accessToken })).status,
    ).toBe(204);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(200);
  });

  it('signs out every session with logout-all', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    expect((await harness.request('/auth/logout-all', { method: 'POST', token: tokens.accessToken })).status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
  });

  it('changes the password, keeps this session, revokes the others and mails a notice', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const changed = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: identity.password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(200);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, 'a brand new passphrase')).status).toBe(200);
    expect(
      (await harness.mailbox()).some((mail) => mail.to === identity.email && mail.subject.includes('was changed')),
    ).toBe(true);
  });

  it('refuses a password change with the wrong current password', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      code: 'invalid_credentials',
      errors: [{ field: 'currentPassword' }],
    });
  });

  it('mails a notice after a password reset too', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a brand new passphrase' },
    });
    expect(
      (await harness.mailbox()).some((mail) => mail.to === identity.email && mail.subject.includes('was changed')),
    ).toBe(true);
  });

  it('deletes the account with the current password', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const wrong = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: 'nope nope nope' },
    });
    expect(wrong.status).toBe(401);
    const deleted = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    expect(deleted.status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, identity.password)).status).toBe(401);
    const again = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(again.status).toBe(201);
  });
});

describe('browser cookies and CSRF', () => {
  async function cookieSession(harness: Harness) {
    const identity = uniqueIdentity('cookie');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    const response = await login(harness, identity.username, identity.password);
    const cookies = response.headers.getSetCookie();
    const cookieHeader = cookies.map((cookie) => cookie.split(';')[0]).join('; ');
    return { identity, cookies, cookieHeader };
  }

  it('sets __Host- cookies that are HttpOnly, Secure, SameSite=Lax, Path=/ and have no Domain', async () => {
    const { cookies } = await cookieSession(createHarness());
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-latchkey-(access|refresh)=/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it('accepts the cookie at /me instead of the Bearer header', async () => {
    const harness = createHarness();
    const { identity, cookieHeader } = await cookieSession(harness);
    const me = await harness.request('/me', { headers: { cookie: cookieHeader } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: identity.username });
  });

  it('refuses a cookie-authenticated logout from another origin, and from no origin at all', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const crossSite = await harness.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: cookieHeader, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'forbidden' });
    const noEvidence = await harness.request('/auth/logout', { method: 'POST', headers: { cookie: cookieHeader } });
    expect(noEvidence.status).toBe(403);
    expect((await harness.request('/me', { headers: { cookie: cookieHeader } })).status).toBe(200);
  });

  it('accepts a same-origin cookie logout and expires the cookies', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const response = await harness.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: cookieHeader, origin: 'https://latchkey.test' },
    });
    expect(response.status).toBe(204);
    const cleared = response.headers.getSetCookie();
    expect(
      cleared.some((cookie) => cookie.startsWith('__Host-latchkey-access=;') && cookie.includes('Max-Age=0')),
    ).toBe(true);
    expect((await harness.request('/me', { headers: { cookie: cookieHeader } })).status).toBe(401);
  });

  it('refreshes from the cookie for a same-origin request and refuses it cross-site', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const cross = await harness.request('/auth/refresh', {
      method: 'POST',
      json: {},
      headers: { cookie: cookieHeader, 'sec-fetch-site': 'cross-site' },
    });
    expect(cross.status).toBe(403);
    const same = await harness.request('/auth/refresh', {
      method: 'POST',
      json: {},
      headers: { cookie: cookieHeader, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
  });

  it('exempts Bearer requests from the origin check', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/auth/logout', {
      method: 'POST',
      token: tokens.accessToken,
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(204);
  });

  it('allows credentials only for listed CORS origins, never "*"', async () => {
    const harness = createHarness({ env: { CORS_ORIGINS: 'https://app.example' } });
    const listed = await harness.request('/me', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await harness.request('/me', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const wildcard = createHarness({ env: { CORS_ORIGINS: '*' } });
    expect((await wildcard.request('/health')).status).toBe(500);
  });
});

describe('security headers', () => {
  const expectSecurityHeaders = (response: Response) => {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  it('sends them on a 404', async () => {
    const response = await createHarness().request('/no/such/page');
    expect(response.status).toBe(404);
    expectSecurityHeaders(response);
  });

  it('sends them on a 500', async () => {
    const response = await createHarness({ env: { JWT_PRIVATE_JWK: 'not json' } }).request('/me');
    expect(response.status).toBe(500);
    expectSecurityHeaders(response);
  });

  it('sends them on a successful auth response', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    expectSecurityHeaders(await harness.request('/me', { token: tokens.accessToken }));
  });
});

describe('input hardening', () => {
  it('refuses NUL bytes', async () => {
    const response = await createHarness().request('/auth/register', {
      method: 'POST',
      json: { username: 'nul_user', email: 'nul@example.com', password: 'correct horse\u0000battery' },
    });
    expect(response.status).toBe(400);
  });

  it('refuses an @ in a username so an identifier never matches both kinds', async () => {
    const response = await createHarness().request('/auth/register', {
      method: 'POST',
      json: { username: 'a@b', email: 'at@example.com', password: 'correct horse battery' },
    });
    expect(response.status).toBe(400);
  });

  it('NFKC-normalises usernames so look-alike forms are one account', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('wide');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const fullWidth = identity.username.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    const clash = await harness.request('/auth/register', {
      method: 'POST',
      json: { ...uniqueIdentity(), username: fullWidth },
    });
    expect(clash.status).toBe(409);
  });

  it('logs security events with a hashed client address, never the address or secrets', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    await login(harness, identity.username, 'wrong password');
    const events = harness.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((event) => event['event'] !== 'mail.console');
    expect(events.map((event) => event['event'])).toEqual(
      expect.arrayContaining(['user.registered', 'login.succeeded', 'login.failed']),
    );
    const text = harness.logs.join('\n');
    expect(text).not.toContain(harness.ip);
    expect(text).not.toContain(identity.password);
    expect(text).not.toContain('wrong password');
    expect(events.every((event) => typeof event['ip'] === 'string')).toBe(true);
  });
});
