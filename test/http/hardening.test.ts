// Security headers, refused input and security logging, through the worker.
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser, uniqueIdentity } from '../support/harness';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

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

  it("shows a browser a not-found page at an unknown address, under the pages' headers", async () => {
    const harness = createHarness();
    const page = await harness.request('/no/such/page', { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self'");
    expectSecurityHeaders(page);
    const html = await page.text();
    expect(html).toContain('<!DOCTYPE html>');
    expect(html).toContain('Page not found');
    const api = await harness.request('/no/such/page', { headers: { accept: 'application/json' } });
    expect(api.headers.get('content-type')).toBe('application/problem+json');
    expect(await api.json()).toMatchObject({ code: 'not_found' });
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

  it('sends the headers only documents read on pages, and not on JSON answers', async () => {
    const documentOnly = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-xss-protection'];
    const harness = createHarness();
    const api = await harness.request('/health');
    expectSecurityHeaders(api);
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    for (const name of documentOnly) expect(api.headers.has(name), name).toBe(false);
    const page = await harness.request('/signin', { headers: { accept: 'text/html' } });
    expectSecurityHeaders(page);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    for (const name of documentOnly) expect(page.headers.has(name), name).toBe(true);
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
