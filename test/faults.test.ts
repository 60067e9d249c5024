import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createPwnedPasswordsChecker } from '../src/core/passwords/breached-passwords';
import { createD1UserRepository } from '../src/storage/d1-user-repository';
import { createKvEmailTokenStore } from '../src/storage/kv-email-token-store';
import { classifyStorageError, isTransientStorageError } from '../src/storage/transient-errors';
import { d1Error, faultyD1, faultyFetch, faultyKv, kvError } from './support/faults';
import { uniqueIdentity } from './support/harness';

function newUser() {
  const identity = uniqueIdentity('fault');
  return {
    id: crypto.randomUUID(),
    username: identity.username,
    email: identity.email,
    passwordHash: '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0$aGFzaA',
    displayName: null,
    now: Date.now(),
  };
}

async function rowsFor(userId: string): Promise<number> {
  const row = await env.DB.prepare(
    `select (select count(*) from users where id = ?1) + (select count(*) from accounts where user_id = ?1)
            + (select count(*) from profiles where user_id = ?1) as n`,
  )
    .bind(userId)
    .first<{ n: number }>();
  return row!.n;
}

/** The rejection of a promise, for assertions on its shape. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('D1 fault injection', () => {
  it('surfaces a failed read as the platform’s transient error', async () => {
    const { db } = faultyD1(env.DB, [{ nth: 1 }]);
    const error = await rejectionOf(createD1UserRepository(db).findById(crypto.randomUUID()));
    expect(error).toMatchObject({ message: 'D1_ERROR: Network connection lost.' });
    expect((error as Error).cause).toMatchObject({ message: 'Network connection lost.' });
    expect(classifyStorageError(error)).toMatchObject({ kind: 'network_lost', retryable: true });
  });

  it('fails a batch before D1 sees it, so nothing is half-written, and the same call then succeeds', async () => {
    const { db } = faultyD1(env.DB, [
      { operation: 'batch', error: () => d1Error('D1 DB is overloaded. Too many requests queued.') },
    ]);
    const input = newUser();
    const error = await rejectionOf(createD1UserRepository(db).create(input));
    expect(classifyStorageError(error)).toMatchObject({ kind: 'd1_overloaded' });
    expect(await rowsFor(input.id)).toBe(0);

    expect(await createD1UserRepository(env.DB).create(input)).toMatchObject({ ok: true });
    expect(await rowsFor(input.id)).toBe(3);
  });

  it('can lose the answer of a write that landed, which is why such a write is never retried blindly', async () => {
    const { db } = faultyD1(env.DB, [{ operation: 'batch', afterCall: true }]);
    const input = newUser();
    const error = await rejectionOf(createD1UserRepository(db).create(input));
    expect(isTransientStorageError(error)).toBe(true);
    expect(await rowsFor(input.id)).toBe(3);
  });

  it('fails only the nth call', async () => {
    const { db } = faultyD1(env.DB, [{ nth: 2 }]);
    const users = createD1UserRepository(db);
    const id = crypto.randomUUID();
    await expect(users.findById(id)).resolves.toBeNull();
    expect(isTransientStorageError(await rejectionOf(users.findById(id)))).toBe(true);
    await expect(users.findById(id)).resolves.toBeNull();
  });

  it('fails only statements that match a pattern, every time', async () => {
    const { db } = faultyD1(env.DB, [{ sql: /^update accounts/ }]);
    const users = createD1UserRepository(db);
    const input = newUser();
    await users.create(input);
    expect(isTransientStorageError(await rejectionOf(users.upgradePasswordHash(input.id, 'a', 'b')))).toBe(true);
    expect(isTransientStorageError(await rejectionOf(users.upgradePasswordHash(input.id, 'a', 'b')))).toBe(true);
    expect(await users.findById(input.id)).toMatchObject({ id: input.id });
  });

  it('records each call with its statements, so a flow’s steps can be failed one by one', async () => {
    const { db, calls } = faultyD1(env.DB);
    const users = createD1UserRepository(db);
    const input = newUser();
    await users.create(input);
    await users.findWithCredential({ email: input.email });
    expect(calls.map((call) => call.operation)).toEqual(['batch', 'first']);
    expect(calls[0]!.sql).toHaveLength(3);
    expect(calls[0]!.sql[0]).toMatch(/^insert into users/);
  });

  it('delays a call and then lets it through', async () => {
    const { db } = faultyD1(env.DB, [{ operation: 'first', delayMs: 40 }]);
    const started = Date.now();
    expect(await db.prepare('select 1 as one').first()).toEqual({ one: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('fails raw prepared statements too, with the binding’s own error shape', async () => {
    const { db } = faultyD1(env.DB, [{ operation: 'first' }]);
    const error = await rejectionOf(db.prepare('select 1').first());
    expect(error).toMatchObject({ message: 'D1_ERROR: Network connection lost.' });
    expect((error as Error).cause).toMatchObject({ message: 'Network connection lost.' });
  });
});

describe('KV fault injection', () => {
  const record = { purpose: 'verify_email' as const, userId: 'u', email: 'kv-fault@example.com', expiresAt: 0 };

  it('fails writes to matching keys with KV’s per-key rate limit, and leaves reads alone', async () => {
    const { kv } = faultyKv(env.KV, [
      { operation: 'put', key: /^email-token:/, error: () => kvError('PUT', 429, 'Too Many Requests') },
    ]);
    const store = createKvEmailTokenStore(kv, { now: () => Date.now() });
    const error = await rejectionOf(store.put('digest-fault', record, Date.now() + 120_000));
    expect(error).toMatchObject({ message: 'KV PUT failed: 429 Too Many Requests' });
    expect(classifyStorageError(error)).toMatchObject({ kind: 'kv_rate_limited', retryable: false });
    await expect(store.get('verify_email', 'digest-fault')).resolves.toBeNull();
  });

  it('can lose the answer of a put that landed', async () => {
    const { kv } = faultyKv(env.KV, [{ operation: 'put', afterCall: true }]);
    expect(isTransientStorageError(await rejectionOf(kv.put('fault:landed', 'yes')))).toBe(true);
    expect(await env.KV.get('fault:landed')).toBe('yes');
  });

  it('fails the nth call with the operation’s 503 by default', async () => {
    const { kv, calls } = faultyKv(env.KV, [{ nth: 2 }]);
    await kv.get('fault:a');
    const error = await rejectionOf(kv.delete('fault:a'));
    expect(error).toMatchObject({ message: 'KV DELETE failed: 503 Service Unavailable' });
    expect(classifyStorageError(error)).toMatchObject({ kind: 'kv_unavailable', retryable: true });
    expect(calls).toEqual([
      { operation: 'get', key: 'fault:a' },
      { operation: 'delete', key: 'fault:a' },
    ]);
  });
});

describe('fetch fault injection', () => {
  const answer = async () => new Response('ok');

  it('drops the connection of matching URLs', async () => {
    const { fetch } = faultyFetch(answer, [{ url: /^https:\/\/api\.resend\.com\// }]);
    await expect(fetch('https://api.resend.com/emails', { method: 'POST' })).rejects.toThrow(
      'Network connection lost.',
    );
    expect(await (await fetch('https://elsewhere.example/')).text()).toBe('ok');
  });

  it('answers a provider outage instead of calling through', async () => {
    const { fetch, calls } = faultyFetch(answer, [{ response: () => new Response('down', { status: 503 }) }]);
    expect((await fetch('https://api.resend.com/emails', { method: 'POST' })).status).toBe(503);
    expect(calls).toEqual([{ method: 'POST', url: 'https://api.resend.com/emails' }]);
  });

  it('hangs a call until the caller’s timeout fires', async () => {
    const logged: Record<string, unknown>[] = [];
    const { fetch } = faultyFetch(answer, [{ url: /pwnedpasswords/, hang: true }]);
    const checker = createPwnedPasswordsChecker({ fetch, timeoutMs: 30, log: (event) => logged.push(event) });
    expect(await checker.isBreached('correct horse battery')).toBe(false);
    expect(logged).toEqual([{ event: 'pwned_passwords.unavailable', reason: 'timeout' }]);
  });

  it('refuses to hang a call that has no signal, rather than hang the test', async () => {
    const { fetch } = faultyFetch(answer, [{ hang: true }]);
    await expect(fetch('https://api.resend.com/emails')).rejects.toThrow(/needs an AbortSignal/);
  });

  it('delays a call and then lets it through', async () => {
    const { fetch } = faultyFetch(answer, [{ delayMs: 40 }]);
    const started = Date.now();
    expect(await (await fetch('https://elsewhere.example/')).text()).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });
});
