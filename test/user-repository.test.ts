import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createD1UserRepository } from '../src/storage/d1-user-repository';
import { uniqueIdentity } from './support/harness';

const users = createD1UserRepository(env.DB);

function newUser(identity = uniqueIdentity('repo')) {
  return {
    id: crypto.randomUUID(),
    username: identity.username,
    email: identity.email,
    passwordHash: '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0$aGFzaA',
    displayName: null,
    now: Date.now(),
  };
}

async function countRows(table: string, userId: string): Promise<number> {
  const column = table === 'users' ? 'id' : 'user_id';
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${column} = ?`)
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe('D1 user repository', () => {
  it('creates the user, the password account and the profile together', async () => {
    const input = newUser();
    const result = await users.create(input);
    expect(result.ok).toBe(true);
    for (const table of ['users', 'accounts', 'profiles']) expect(await countRows(table, input.id)).toBe(1);
    const found = await users.findWithCredential({ email: input.email });
    expect(found?.user.id).toBe(input.id);
    expect(found?.credential.credentialVersion).toBe(0);
  });

  it('refuses a username that differs only in case, and writes nothing', async () => {
    const first = newUser();
    await users.create(first);
    const second = { ...newUser(), username: first.username.toUpperCase() };
    expect(await users.create(second)).toEqual({ ok: false, conflict: 'username' });
    for (const table of ['users', 'accounts', 'profiles']) expect(await countRows(table, second.id)).toBe(0);
  });

  it('refuses an email that differs only in case', async () => {
    const first = newUser();
    await users.create(first);
    const second = { ...newUser(), email: first.email.toUpperCase() };
    expect(await users.create(second)).toEqual({ ok: false, conflict: 'email' });
  });

  it('lets exactly one of many concurrent registrations of one username win', async () => {
    const username = uniqueIdentity('race').username;
    const results = await Promise.all(Array.from({ length: 8 }, () => users.create({ ...newUser(), username })));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.conflict === 'username')).toHaveLength(7);
  });

  it('replaces the password once per version', async () => {
    const input = newUser();
    await users.create(input);
    const replace = (passwordHash: string) =>
      users.replacePassword({ userId: input.id, expectedVersion: 0, passwordHash, now: Date.now() });
    expect(await replace('new-hash')).toBe(true);
    expect(await replace('other-hash')).toBe(false);
    const found = await users.findWithCredential({ username: input.username });
    expect(found?.credential).toMatchObject({ passwordHash: 'new-hash', credentialVersion: 1 });
  });

  it('deletes the account, profile and sessions with the user', async () => {
    const input = newUser();
    await users.create(input);
    await env.DB.prepare(
      "insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at) values (?, ?, 'x', 0, 0, 1)",
    )
      .bind(`s-${input.id}`, input.id)
      .run();
    await users.delete(input.id);
    for (const table of ['users', 'accounts', 'profiles', 'sessions']) expect(await countRows(table, input.id)).toBe(0);
  });

  it('marks an email verified only once', async () => {
    const input = newUser();
    await users.create(input);
    expect(await users.markEmailVerified(input.id, input.email, Date.now())).toBe(true);
    expect(await users.markEmailVerified(input.id, input.email, Date.now())).toBe(false);
  });
});
