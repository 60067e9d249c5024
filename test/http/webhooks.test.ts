// Events out through the worker: webhook endpoints on the admin API, deliveries through the
// Worker's queue consumer to a receiver that checks each with the standardwebhooks package, the
// retry policy, a failed queue send caught by the sweep, and the outbox written with its change.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { createScheduledHandler } from '../../src/scheduled';
import { conformingRequests } from '../support/contract';
import {
  type Harness,
  RESEND_PRODUCTION_ENV,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from '../support/harness';
import { capturingQueue, consume, createReceiver } from '../support/webhook-receiver';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

function setup() {
  const capture = capturingQueue();
  const harness = createHarness({ env: { ADMIN_API_KEY: ADMIN_KEY }, eventQueue: capture.queue });
  return { harness, capture };
}

async function addEndpoint(harness: Harness, events: string[], url = 'https://hooks.example/latchkey') {
  const response = await harness.request('/admin/webhooks', {
    method: 'POST',
    token: ADMIN_KEY,
    json: { url, events },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { webhook: { id: string; url: string; events: string[] }; secret: string };
}

const register = (harness: Harness, identity = uniqueIdentity('hook')) =>
  harness.request('/auth/register', { method: 'POST', json: identity }).then(() => identity);

describe('webhook endpoints', () => {
  it('registers an endpoint and shows its whsec_ secret once', async () => {
    const { harness } = setup();
    const { webhook, secret } = await addEndpoint(harness, ['user.created']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await harness.request('/admin/webhooks', { token: ADMIN_KEY });
    const body = (await listed.json()) as { webhooks: Array<Record<string, unknown>> };
    const mine = body.webhooks.find((entry) => entry.id === webhook.id);
    expect(mine).toMatchObject({ url: 'https://hooks.example/latchkey', events: ['user.created'], pausedAt: null });
    expect(JSON.stringify(body)).not.toContain(secret.slice(6));
    expect(harness.logs.join('\n')).toContain(`"event":"admin.webhook_created","webhookId":"${webhook.id}"`);
    expect(harness.logs.join('\n')).not.toContain(secret.slice(6));
  });

  it('refuses URLs that are not absolute http(s), and plain http except to loopback', async () => {
    const { harness } = setup();
    for (const url of ['/hooks', 'ftp://hooks.example/x', 'http://hooks.example/x', 'https://user:pw@hooks.example/']) {
      const response = await harness.request('/admin/webhooks', {
        method: 'POST',
        token: ADMIN_KEY,
        json: { url, events: ['user.created'] },
      });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'url' }] });
    }
    await addEndpoint(harness, ['user.created'], 'http://localhost:9300/hook');
    await addEndpoint(harness, ['user.created'], 'http://127.0.0.1:9300/hook');
  });

  it('in production, refuses an endpoint on this machine or a private network, however the address is written', async () => {
    const harness = createHarness({ env: { ...RESEND_PRODUCTION_ENV, ADMIN_API_KEY: ADMIN_KEY } });
    const inward = [
      'http://localhost:9300/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'http://127.0.0.1:9300/hook',
      'https://2130706433/hook', // 127.0.0.1 as one number
      'https://0x7f.1/hook',
      'https://0.0.0.0/hook',
      'https://10.1.2.3/hook',
      'https://172.20.0.1/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data/', // a cloud metadata service
      'https://100.64.0.1/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:a9fe:a9fe]/hook',
      'https://[fd12:3456::1]/hook',
      'https://[fe80::1]/hook',
    ];
    for (const url of inward) {
      const response = await harness.request('/admin/webhooks', {
        method: 'POST',
        token: ADMIN_KEY,
        json: { url, events: ['user.created'] },
      });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'url', message: 'must name a public host (not this machine or a private network)' }],
      });
    }
    for (const url of [
      'https://hooks.example/x',
      'https://93.184.216.34/x',
      'https://[2606:4700::1111]/x',
      'https://fd.example/x',
      'https://[fc0::1]/x',
    ]) {
      await addEndpoint(harness, ['user.created'], url);
    }
  });

  it('refuses an unknown event name', async () => {
    const { harness } = setup();
    const response = await harness.request('/admin/webhooks', {
      method: 'POST',
      token: ADMIN_KEY,
      json: { url: 'https://hooks.example/x', events: ['user.exploded'] },
    });
    expect(response.status).toBe(400);
  });

  it('is reached only with the admin key', async () => {
    const { harness } = setup();
    const { tokens } = await signedInUser(harness);
    for (const [method, path] of [
      ['GET', '/admin/webhooks'],
      ['POST', '/admin/webhooks/wh_x/secret'],
      ['DELETE', '/admin/webhooks/wh_x'],
    ] as const) {
      expect((await harness.request(path, { method, token: tokens.accessToken })).status, path).toBe(401);
    }
    const off = createHarness();
    expect((await off.request('/admin/webhooks', { token: ADMIN_KEY })).status).toBe(404);
  });

  it('answers as the OpenAPI document says, on every route', async () => {
    const { harness } = setup();
    const call = await conformingRequests(harness);
    const { tokens } = await signedInUser(harness);
    const { webhook } = await addEndpoint(harness, ['user.created']);
    const calls: Array<[string, string, { json?: unknown; token?: string }]> = [
      ['POST', '/admin/webhooks', { json: { url: 'https://hooks.example/b', events: ['user.deleted'] } }],
      ['POST', '/admin/webhooks', { json: { url: 'ftp://hooks.example/b', events: ['user.deleted'] } }],
      ['GET', '/admin/webhooks', {}],
      ['POST', `/admin/webhooks/${webhook.id}/secret`, {}],
      ['POST', `/admin/webhooks/${webhook.id}/resume`, {}],
      ['POST', '/admin/webhooks/wh_none/resume', {}],
      ['GET', `/admin/users/${tokens.user.id}/activity`, {}],
      ['DELETE', `/admin/webhooks/${webhook.id}`, {}],
      ['GET', '/auth/activity', { token: tokens.accessToken }],
    ];
    for (const [method, path, init] of calls) await call(method, path, { token: ADMIN_KEY, ...init });
  });

  it('answers 404 for an endpoint that does not exist', async () => {
    const { harness } = setup();
    const response = await harness.request('/admin/webhooks/wh_nothing', { method: 'DELETE', token: ADMIN_KEY });
    expect(response.status).toBe(404);
  });
});

describe('deliveries', () => {
  it('delivers user.created signed by the Standard Webhooks scheme, with no secret in it', async () => {
    const { harness, capture } = setup();
    const { webhook, secret } = await addEndpoint(harness, ['user.created']);
    const identity = await register(harness);
    const messages = capture.take(webhook.id);
    expect(messages).toHaveLength(1);
    const receiver = createReceiver();
    const { result } = await consume(messages, { fetch: receiver.fetch, clock: harness.clock });
    expect(result.explicitAcks).toEqual(['msg-0']);
    const [delivery] = receiver.deliveries;
    expect(delivery!.url).toBe('https://hooks.example/latchkey');
    expect(receiver.verify(delivery!, secret)).toMatchObject({
      type: 'user.created',
      data: { user: { username: identity.username, email: identity.email } },
    });
    expect(delivery!.headers['webhook-id']).toMatch(/^evt_/);
    expect(delivery!.body).not.toContain(identity.password);
    expect(delivery!.body).not.toMatch(/hash|token|secret/i);
  });

  it('retries a delivery answered 500 later, with the same webhook-id', async () => {
    const { harness, capture } = setup();
    const { webhook, secret } = await addEndpoint(harness, ['user.created']);
    await register(harness);
    const messages = capture.take(webhook.id);
    let calls = 0;
    const receiver = createReceiver(() => (++calls === 1 ? 500 : 204));
    const first = await consume(messages, { fetch: receiver.fetch, clock: harness.clock });
    // The local queue records the retry, but not its delay: the consumer's log line says it.
    expect(first.result.retryMessages.map((retry) => retry.msgId)).toEqual(['msg-0']);
    expect(first.logs.join('\n')).toContain('"outcome":"retry","delaySeconds":60');
    harness.clock.advance(60_000);
    const second = await consume(messages, { fetch: receiver.fetch, clock: harness.clock, attempts: 2 });
    expect(second.result.explicitAcks).toEqual(['msg-0']);
    const [a, b] = receiver.deliveries;
    expect(a!.id).toBe(b!.id);
    expect(Number(b!.headers['webhook-timestamp'])).toBeGreaterThan(Number(a!.headers['webhook-timestamp']));
    receiver.verify(b!, secret);
  });

  it('hands a delivery that failed its last attempt on to the dead-letter queue', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['user.created']);
    await register(harness);
    const receiver = createReceiver(() => 503);
    const { result, logs } = await consume(capture.take(webhook.id), {
      fetch: receiver.fetch,
      clock: harness.clock,
      attempts: 8,
    });
    // A retry past max_retries (7) is what moves a message to the dead-letter queue.
    expect(result.retryMessages).toEqual([{ msgId: 'msg-0' }]);
    expect(logs.join('\n')).toContain('"outcome":"exhausted"');
  });

  it('does not follow redirects', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['user.created']);
    await register(harness);
    const seen: RequestInit[] = [];
    const fetcher = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init!);
      return new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } });
    };
    const { result } = await consume(capture.take(webhook.id), { fetch: fetcher, clock: harness.clock });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.redirect).toBe('manual');
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(result.retryMessages).toHaveLength(1);
  });

  it('queues only the events an endpoint subscribed to', async () => {
    const { harness, capture } = setup();
    const deletions = await addEndpoint(harness, ['user.deleted']);
    const everything = await addEndpoint(harness, ['user.created', 'user.email_verified', 'session.created']);
    await signedInUser(harness, 'hook');
    expect(capture.take(deletions.webhook.id)).toEqual([]);
    expect(capture.take(everything.webhook.id)).toHaveLength(3);
  });

  it('sends nothing to an endpoint deleted after its delivery was queued', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['user.created']);
    await register(harness);
    const messages = capture.take(webhook.id);
    expect(
      (await harness.request(`/admin/webhooks/${webhook.id}`, { method: 'DELETE', token: ADMIN_KEY })).status,
    ).toBe(204);
    const receiver = createReceiver();
    const { result } = await consume(messages, { fetch: receiver.fetch, clock: harness.clock });
    expect(receiver.deliveries).toEqual([]);
    expect(result.explicitAcks).toEqual(['msg-0']);
    await register(harness);
    expect(capture.take(webhook.id)).toEqual([]);
  });

  it('signs with both secrets for a day after a rotation', async () => {
    const { harness, capture } = setup();
    const { webhook, secret: before } = await addEndpoint(harness, ['user.created']);
    const rotated = await harness.request(`/admin/webhooks/${webhook.id}/secret`, { method: 'POST', token: ADMIN_KEY });
    const { secret: after } = (await rotated.json()) as { secret: string };
    expect(after).not.toBe(before);
    await register(harness);
    const messages = capture.take(webhook.id);
    const receiver = createReceiver();
    await consume(messages, { fetch: receiver.fetch, clock: harness.clock });
    const [delivery] = receiver.deliveries;
    expect(delivery!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    receiver.verify(delivery!, before);
    receiver.verify(delivery!, after);
    harness.clock.advance(24 * 60 * 60 * 1000 + 1000);
    await consume(messages, { fetch: receiver.fetch, clock: harness.clock, attempts: 2 });
    expect(receiver.deliveries[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
  });

  it('still delivers an event whose queue send failed, through the hourly sweep', async () => {
    const { harness, capture } = setup();
    const { webhook, secret } = await addEndpoint(harness, ['user.created']);
    capture.failNext();
    const identity = await register(harness);
    expect(capture.take(webhook.id)).toEqual([]);
    expect(harness.logs.join('\n')).toContain('deferred.failed');
    harness.clock.advance(2 * 60 * 1000);
    const ctx = createExecutionContext();
    const logs: string[] = [];
    await createScheduledHandler({ clock: harness.clock, eventQueue: capture.queue, log: (line) => logs.push(line) })(
      createScheduledController({ cron: '17 * * * *' }),
      { ...env, ADMIN_API_KEY: ADMIN_KEY } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const messages = capture.take(webhook.id);
    expect(messages).toHaveLength(1);
    const receiver = createReceiver();
    await consume(messages, { fetch: receiver.fetch, clock: harness.clock });
    expect(receiver.verify(receiver.deliveries[0]!, secret)).toMatchObject({
      data: { user: { username: identity.username } },
    });
  });

  it('pauses an endpoint failing for a day, and resumes it on request', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['user.created']);
    await register(harness);
    const messages = capture.take(webhook.id);
    const failing = createReceiver(() => 500);
    await consume(messages, { fetch: failing.fetch, clock: harness.clock });
    harness.clock.advance(25 * 60 * 60 * 1000);
    await consume(messages, { fetch: failing.fetch, clock: harness.clock, attempts: 7 });
    const listed = (await (await harness.request('/admin/webhooks', { token: ADMIN_KEY })).json()) as {
      webhooks: Array<{ id: string; pausedAt: string | null }>;
    };
    expect(listed.webhooks.find((entry) => entry.id === webhook.id)!.pausedAt).not.toBeNull();
    await register(harness);
    expect(capture.take(webhook.id)).toEqual([]);
    const resumed = await harness.request(`/admin/webhooks/${webhook.id}/resume`, {
      method: 'POST',
      token: ADMIN_KEY,
    });
    expect(await resumed.json()).toMatchObject({ webhook: { pausedAt: null, failingSince: null } });
    await register(harness);
    expect(capture.take(webhook.id)).toHaveLength(1);
  });
});

describe('the outbox', () => {
  it('records one email_verified event when the same link is used twice in parallel', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['user.email_verified']);
    const identity = await register(harness);
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    const answers = await Promise.all(
      [1, 2, 3].map(() => harness.request('/auth/verify-email', { method: 'POST', json: { token } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
    expect(capture.take(webhook.id)).toHaveLength(1);
  });

  it('records nothing for a change that did not happen', async () => {
    const { harness, capture } = setup();
    const { webhook } = await addEndpoint(harness, ['session.revoked']);
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/auth/sessions/not-a-session', {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(response.status).toBe(404);
    expect(capture.take(webhook.id)).toEqual([]);
  });
});
