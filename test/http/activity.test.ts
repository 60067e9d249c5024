// The security activity trail and the new-device notice through the worker: GET /auth/activity,
// GET /admin/users/:id/activity, the card on /account, and the mail for a sign-in from a browser
// or device the account has not used in 90 days.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { createScheduledHandler } from '../../src/scheduled';
import { type Harness, createHarness, signedInUser } from '../support/harness';
import { browserSignedIn, visit } from '../support/page-browser';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
const DAY = 24 * 60 * 60 * 1000;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

type Activity = { activity: Array<{ id: string; type: string; timestamp: string; details: Record<string, unknown> }> };

const loginFrom = (
  harness: Harness,
  identity: { username: string; password: string },
  userAgent: string,
  cf?: object,
) =>
  harness.request('/auth/login', {
    method: 'POST',
    json: { identifier: identity.username, password: identity.password },
    headers: { 'user-agent': userAgent },
    ...(cf ? { cf } : {}),
  } as RequestInit & { json: unknown });

const newDeviceMails = async (harness: Harness, email: string) =>
  (await harness.mailbox()).filter((mail) => mail.to === email && mail.subject.startsWith('New sign-in'));

describe('GET /auth/activity', () => {
  it("lists the account's own events, newest first, with how each sign-in was made", async () => {
    const harness = createHarness();
    await signedInUser(harness, 'other');
    const { identity, tokens } = await signedInUser(harness, 'trail');
    harness.clock.advance(1000);
    await loginFrom(harness, identity, FIREFOX);
    const response = await harness.request('/auth/activity', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    const { activity } = (await response.json()) as Activity;
    expect(activity.map((entry) => entry.type)).toEqual([
      'session.created',
      'session.created',
      'user.email_verified',
      'user.created',
    ]);
    expect(activity[0]!.details).toMatchObject({ method: 'password', device: 'Firefox on Linux' });
    expect(JSON.stringify(activity)).not.toContain(identity.password);
  });

  it('keeps 90 days', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'trail');
    harness.clock.advance(91 * DAY);
    const login = (await (await loginFrom(harness, identity, FIREFOX)).json()) as { accessToken: string };
    const { activity } = (await (
      await harness.request('/auth/activity', { token: login.accessToken })
    ).json()) as Activity;
    expect(activity.map((entry) => entry.type)).toEqual(['session.created']);
  });

  it('forgets events older than 90 days at the hourly cleanup', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness, 'trail');
    const stored = () =>
      env.DB.prepare('select count(*) as n from events where user_id = ?1').bind(tokens.user.id).first<{ n: number }>();
    expect((await stored())!.n).toBe(3);
    harness.clock.advance(91 * DAY);
    const ctx = createExecutionContext();
    await createScheduledHandler({ clock: harness.clock, log: () => {} })(
      createScheduledController({ cron: '17 * * * *' }),
      env as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect((await stored())!.n).toBe(0);
  });

  it('answers 401 without a session', async () => {
    expect((await createHarness().request('/auth/activity')).status).toBe(401);
  });

  it('is the same list support sees at GET /admin/users/:id/activity', async () => {
    const harness = createHarness({ env: { ADMIN_API_KEY: ADMIN_KEY } });
    const { tokens } = await signedInUser(harness, 'trail');
    await harness.request(`/admin/users/${tokens.user.id}/disable`, { method: 'POST', token: ADMIN_KEY });
    const response = await harness.request(`/admin/users/${tokens.user.id}/activity`, { token: ADMIN_KEY });
    expect(response.status).toBe(200);
    const { activity } = (await response.json()) as Activity;
    expect(activity.map((entry) => entry.type)).toEqual([
      'user.disabled',
      'session.created',
      'user.email_verified',
      'user.created',
    ]);
    expect(
      (await harness.request(`/admin/users/${tokens.user.id}/activity`, { token: tokens.accessToken })).status,
    ).toBe(401);
  });
});

describe('the activity card on /account', () => {
  it('shows recent security activity in plain words', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness, { prefix: 'card' });
    const page = await (await visit(harness, jar, '/account')).text();
    expect(page).toContain('Recent security activity');
    expect(page).toContain('Signed in with a password');
    expect(page).toContain('Email address verified');
  });
});

describe('the new-device notice', () => {
  it('mails the person when a sign-in comes from a browser the account has not used, with where', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'device');
    expect(await newDeviceMails(harness, identity.email)).toEqual([]);
    await loginFrom(harness, identity, FIREFOX, { country: 'NL', city: 'Amsterdam' });
    const [mail] = await newDeviceMails(harness, identity.email);
    expect(mail!.text).toContain('Device: Firefox on Linux');
    expect(mail!.text).toContain('Amsterdam, NL');
    expect(mail!.text).toContain('https://app.example/account#sessions');
    harness.clock.advance(1000);
    await loginFrom(harness, identity, FIREFOX);
    expect(await newDeviceMails(harness, identity.email)).toHaveLength(1);
  });

  it('mails again for a device not seen for 90 days', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'device');
    await loginFrom(harness, identity, SAFARI);
    harness.clock.advance(91 * DAY);
    await loginFrom(harness, identity, SAFARI);
    const mails = await newDeviceMails(harness, identity.email);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.text).toContain('Device: Safari on iOS');
  });

  it('sends nothing with NEW_DEVICE_NOTICE=off', async () => {
    const harness = createHarness({ env: { NEW_DEVICE_NOTICE: 'off' } });
    const { identity } = await signedInUser(harness, 'device');
    await loginFrom(harness, identity, FIREFOX);
    expect(await newDeviceMails(harness, identity.email)).toEqual([]);
  });
});
