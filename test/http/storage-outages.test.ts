// What an outage looks like from outside: a documented D1 or KV failure answers 503 `unavailable`
// with Retry-After and a warning naming its class only; a bug still answers 500. Reads get one
// quick retry; an overloaded database does not (an immediate retry adds load). /health/ready
// probes both stores; /health touches neither.
import { describe, expect, it } from 'vitest';
import type { StorageBindings } from '../../src/services';
import { type D1Call, type D1Fault, type KvCall, type KvFault, d1Error, faultyD1, faultyKv } from '../support/faults';
import { createHarness, signedInUser, uniqueIdentity } from '../support/harness';
import { Jar, postForm, visit } from '../support/page-browser';

// The session check of an authenticated request (src/storage/d1-session-repository.ts).
const sessionCheck = /from sessions s\b/;

/** A harness whose D1 and KV fail as planned once `arm()` is called (setup runs healthy). */
function harnessWithFaults(d1Faults: D1Fault[] = [], kvFaults: KvFault[] = []) {
  let armed = false;
  const when = <F extends { match?: (call: never) => boolean }>(fault: F): F => ({
    ...fault,
    match: (call: never) => armed && (!fault.match || fault.match(call)),
  });
  let calls: { d1: D1Call[]; kv: KvCall[] } = { d1: [], kv: [] };
  const harness = createHarness({
    wrapStorage: ({ db, kv }: StorageBindings) => {
      const d1 = faultyD1(db, d1Faults.map(when));
      const kvWrapped = faultyKv(kv, kvFaults.map(when));
      calls = { d1: d1.calls, kv: kvWrapped.calls };
      return { db: d1.db, kv: kvWrapped.kv };
    },
  });
  return {
    harness,
    arm: () => {
      armed = true;
    },
    calls: () => calls,
  };
}

describe('storage outages through the worker', () => {
  it('answers 503 unavailable with Retry-After when D1 stays down, and logs the class without SQL', async () => {
    const { harness, arm } = harnessWithFaults([{ sql: sessionCheck }]);
    const { tokens } = await signedInUser(harness, 'outage');
    arm();
    const response = await harness.request('/me', { token: tokens.accessToken });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'unavailable', status: 503 });
    const line = harness.logs.find((entry) => entry.includes('"request.unavailable"'));
    expect(JSON.parse(line!)).toEqual({
      level: 'warn',
      event: 'request.unavailable',
      method: 'GET',
      path: '/me',
      error: 'network_lost',
    });
    expect(harness.logs.join('\n')).not.toMatch(/sessions"|select/i);
  });

  it('rides out a single D1 blip on the session check with one retry, logged as storage.retried', async () => {
    const { harness, arm } = harnessWithFaults([{ sql: sessionCheck, times: 1 }]);
    const { tokens } = await signedInUser(harness, 'blip');
    arm();
    const response = await harness.request('/me', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    const retried = harness.logs.map((line) => JSON.parse(line)).find((line) => line.event === 'storage.retried');
    expect(retried).toMatchObject({ level: 'warn', operation: 'sessions.findActive', error: 'network_lost' });
  });

  it('does not retry an overloaded D1 at once, and asks the client to wait longer', async () => {
    const { harness, arm, calls } = harnessWithFaults([
      { sql: sessionCheck, times: 1, error: () => d1Error('D1 DB is overloaded. Too many requests queued.') },
    ]);
    const { tokens } = await signedInUser(harness, 'overload');
    arm();
    const before = calls().d1.length;
    const response = await harness.request('/me', { token: tokens.accessToken });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(calls().d1.length - before).toBe(1);
  });

  it('never repeats a registration whose answer was lost: the client is told 503, the account exists once', async () => {
    const { harness, arm, calls } = harnessWithFaults([
      { operation: 'batch', sql: /insert into users /, afterCall: true, times: 1 },
    ]);
    arm();
    const identity = uniqueIdentity('lost');
    const response = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(response.status).toBe(503);
    expect(calls().d1.filter((call) => call.sql.some((sql) => sql.includes('insert into users ')))).toHaveLength(1);
    const again = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(again.status).toBe(409);
    // The verification mail of the lost attempt was never sent; asking again sends one.
    const resend = await harness.request('/auth/resend-verification', {
      method: 'POST',
      json: { email: identity.email },
    });
    expect(resend.status).toBe(202);
    expect((await harness.mailbox()).some((mail) => mail.to === identity.email)).toBe(true);
  });

  it('keeps a bug a 500 internal, logged as request.failed', async () => {
    const { harness, arm } = harnessWithFaults([
      { sql: sessionCheck, error: () => new Error('D1_ERROR: no such table: sessions: SQLITE_ERROR') },
    ]);
    const { tokens } = await signedInUser(harness, 'bug');
    arm();
    const response = await harness.request('/me', { token: tokens.accessToken });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: 'internal' });
    expect(harness.logs.some((line) => line.includes('"request.failed"'))).toBe(true);
    expect(harness.logs.some((line) => line.includes('"request.unavailable"'))).toBe(false);
  });

  it('shows a browser signing in during a D1 outage a 503 page, not a JSON document', async () => {
    const { harness, arm } = harnessWithFaults([{}]);
    const identity = uniqueIdentity('page-outage');
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    arm();
    const response = await postForm(harness, jar, '/signin', {
      identifier: identity.username,
      password: identity.password,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("style-src 'self'");
    const page = await response.text();
    expect(page).toContain('<!DOCTYPE html>');
    expect(page).toContain('Temporarily unavailable');
    expect(page).not.toMatch(/"code"|select|throttle_counters/);
  });

  it('shows a 500 page for a bug on a page, and the API keeps its problem document', async () => {
    const { harness, arm } = harnessWithFaults([
      { error: () => new Error('D1_ERROR: no such table: throttle_counters: SQLITE_ERROR') },
    ]);
    const identity = uniqueIdentity('page-bug');
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    arm();
    const page = await postForm(harness, jar, '/signin', {
      identifier: identity.username,
      password: identity.password,
    });
    expect(page.status).toBe(500);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Something went wrong');
    const api = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(api.status).toBe(500);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 503 when KV is down for the verification link, and the same link works once it is back', async () => {
    const { harness, arm } = harnessWithFaults([], [{ operation: 'get', key: /^email-token:/, times: 2 }]);
    const identity = uniqueIdentity('kvdown');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const mail = (await harness.mailbox()).find((message) => message.to === identity.email)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
    arm();
    const down = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(down.status).toBe(503);
    const back = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(back.status).toBe(200);
  });
});

describe('/health/ready', () => {
  it('answers 200 with both stores ok, never cached', async () => {
    const response = await createHarness().request('/health/ready');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok', d1: 'ok', kv: 'ok' });
  });

  it('answers 503 naming the store that is down', async () => {
    const { harness, arm } = harnessWithFaults([{}]);
    arm();
    const response = await harness.request('/health/ready');
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'unavailable', d1: 'down', kv: 'ok' });
  });

  it('leaves /health storage-free: it answers ok while both stores are down', async () => {
    const { harness, arm, calls } = harnessWithFaults([{}], [{}]);
    arm();
    const response = await harness.request('/health');
    expect(response.status).toBe(200);
    expect(calls().d1).toHaveLength(0);
    expect(calls().kv).toHaveLength(0);
  });
});
