// What the accessibility audit asked of the page markup: standards mode on every page, and focus on
// the first field to fix after a refused form. The browser tests (e2e/) run axe-core on top.
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness } from './support/harness';

const CSRF_COOKIE = '__Host-latchkey-csrf';

/** Posts the registration form as a browser would, with the CSRF cookie and field of a fresh GET. */
async function submitRegistration(harness: Harness, fields: Record<string, string>) {
  const form = await harness.request('/register', { headers: { accept: 'text/html' } });
  const cookie = form.headers.getSetCookie().find((line) => line.startsWith(`${CSRF_COOKIE}=`))!;
  const token = cookie.slice(CSRF_COOKIE.length + 1).split(';')[0]!;
  return harness.request('/register', {
    method: 'POST',
    headers: {
      cookie: `${CSRF_COOKIE}=${token}`,
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://latchkey.test',
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({ csrf: token, ...fields }).toString(),
  });
}

/** The names of the inputs that carry autofocus. */
function autofocused(html: string): string[] {
  return [...html.matchAll(/<input\b[^>]*>/g)]
    .filter(([tag]) => /\sautofocus(?:[\s=>]|$)/.test(tag))
    .map(([tag]) => /name="([^"]+)"/.exec(tag)![1]!);
}

describe('page markup', () => {
  it('starts every page with the doctype, so browsers render in standards mode', async () => {
    const harness = createHarness();
    for (const path of [
      '/signin',
      '/register',
      '/resend-verification',
      '/forgot-password',
      '/reset-password?token=nonsense',
      '/verify-email?token=nonsense',
      '/signin/email',
      '/signin/email?token=nonsense',
      '/signin/email/request',
      '/register/email',
      '/dev/mailbox',
    ]) {
      const response = await harness.request(path, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect((await response.text()).startsWith('<!DOCTYPE html><html lang="en">'), path).toBe(true);
    }
  });

  it('focuses the username on a fresh registration form', async () => {
    const harness = createHarness();
    const response = await harness.request('/register', { headers: { accept: 'text/html' } });
    expect(autofocused(await response.text())).toEqual(['username']);
  });

  it('moves focus to the first invalid field after a refused registration', async () => {
    const harness = createHarness();
    const cases: [Record<string, string>, string][] = [
      [{ username: 'x', email: 'not-mail', password: 'short' }, 'username'],
      [{ username: 'valid_name', email: 'not-mail', password: 'short' }, 'email'],
      [{ username: 'valid_name', email: 'valid@example.com', password: 'short' }, 'password'],
    ];
    for (const [fields, expected] of cases) {
      const response = await submitRegistration(harness, fields);
      expect(response.status).toBe(400);
      expect(autofocused(await response.text()), expected).toEqual([expected]);
    }
  });
});
