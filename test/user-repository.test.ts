// The D1 tables behind the user repository: a user is three rows (users, accounts, profiles)
// written together or not at all, and deleting the user takes every row of theirs by cascade. What
// the repository promises through its port is in the contract suite (test/contracts).
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
});
