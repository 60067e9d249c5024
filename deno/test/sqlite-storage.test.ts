// The D1 storage modules, unchanged, on a real SQLite file through the D1 facade: the conditional
// writes that decide every race keep exactly one winner, across connections to one file too.
import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { createD1Facade } from '../d1-facade.ts';
import { applyMigrations } from '../migrations.ts';
import { deleteExpiredRecords, throttleCounterFamilies } from '../../src/core/expired-records.ts';
import { createD1ExpiredRecordStore } from '../../src/storage/d1-expired-record-store.ts';
import { createD1SessionRepository } from '../../src/storage/d1-session-repository.ts';
import { createD1ThrottleStore } from '../../src/storage/d1-throttle-store.ts';
import { createD1UserRepository } from '../../src/storage/d1-user-repository.ts';
import { raceCases } from './race-cases.ts';
import { migrationsDir, newUser, openTestDatabase } from './support.ts';

for (const [name, run] of raceCases) {
  Deno.test(name, async () => {
    await using db = await openTestDatabase();
    await run(db.d1);
  });
}

Deno.test('lets one registration win across two connections to one file', async () => {
  await using db = await openTestDatabase();
  const first = createD1UserRepository(db.d1);
  const second = createD1UserRepository(createD1Facade(db.connect()));
  const results = await Promise.all([
    first.create(newUser('Bob', 'bob1@example.com')),
    second.create(newUser('bob', 'bob2@example.com')),
    first.create(newUser('BOB', 'bob3@example.com')),
    second.create(newUser('bOb', 'bob4@example.com')),
  ]);
  assertEquals(results.filter((result) => result.ok).length, 1);
});

Deno.test('answers an email conflict by name, case-insensitively', async () => {
  await using db = await openTestDatabase();
  const users = createD1UserRepository(db.d1);
  assert((await users.create(newUser('carol', 'carol@example.com'))).ok);
  assertEquals(await users.create(newUser('carol2', 'CAROL@example.com')), { ok: false, conflict: 'email' });
});

Deno.test('verifies an email once for parallel uses of one verification token', async () => {
  await using db = await openTestDatabase();
  const users = createD1UserRepository(db.d1);
  const input = newUser('erin');
  await users.create(input);
  const verified = await Promise.all(
    Array.from({ length: 5 }, () => users.markEmailVerified(input.id, input.email, Date.now())),
  );
  assertEquals(verified.filter(Boolean).length, 1);
});

Deno.test('counts fifty parallel throttle hits as exactly fifty', async () => {
  await using db = await openTestDatabase();
  const throttle = createD1ThrottleStore(db.d1);
  const now = Date.now();
  const counts = await Promise.all(
    Array.from({ length: 50 }, () => throttle.hit('login:x', { now, windowMs: 60_000 })),
  );
  assertEquals(
    counts.toSorted((a, b) => a - b),
    Array.from({ length: 50 }, (_, n) => n + 1),
  );
});

Deno.test('deletes the sessions of a deleted user (foreign keys are enforced)', async () => {
  await using db = await openTestDatabase();
  const users = createD1UserRepository(db.d1);
  const input = newUser('frank');
  await users.create(input);
  await db.d1
    .prepare(
      `insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at) values ('s1', ?1, 'test', 0, 0, ?2)`,
    )
    .bind(input.id, Date.now() + 60_000)
    .run();
  const sessions = createD1SessionRepository(db.d1);
  assertEquals((await sessions.listForUser(input.id, Date.now())).length, 1);
  await users.delete(input.id);
  assertEquals((await sessions.listForUser(input.id, Date.now())).length, 0);
});

Deno.test('applies each migration once, recorded where wrangler records them', async () => {
  await using db = await openTestDatabase();
  assertEquals(await applyMigrations(db.engine, migrationsDir), []);
  const { results } = await db.d1.prepare('select name from d1_migrations order by id').all<{ name: string }>();
  assertEquals(results[0]?.name, '0000_init.sql');
});

Deno.test('rolls a batch back whole when one statement fails', async () => {
  await using db = await openTestDatabase();
  const insert = db.d1.prepare('insert into throttle_counters (key, count, window_started_at) values (?1, 1, 0)');
  let failed = false;
  try {
    await db.d1.batch([insert.bind('a'), insert.bind('a')]);
  } catch {
    failed = true;
  }
  assert(failed);
  assertEquals(await db.d1.prepare('select count(*) as n from throttle_counters').first('n'), 0);
});

Deno.test('the hourly cleanup deletes expired sessions on SQLite and keeps live ones', async () => {
  await using db = await openTestDatabase();
  const users = createD1UserRepository(db.d1);
  const input = newUser('grace');
  await users.create(input);
  const now = Date.now();
  const insert = db.d1.prepare(
    `insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at) values (?1, ?2, 'test', 0, 0, ?3)`,
  );
  await db.d1.batch([insert.bind('expired', input.id, now - 1), insert.bind('live', input.id, now + 60_000)]);
  const deleted = await deleteExpiredRecords(createD1ExpiredRecordStore(db.d1), {
    now,
    counterFamilies: throttleCounterFamilies({ loginFailureWindowSeconds: 900 }),
  });
  assertEquals(deleted.sessions, 1);
  assertEquals(
    (await sessionsOf(db.d1, input.id)).map((row) => row.id),
    ['live'],
  );
});

async function sessionsOf(d1: D1Database, userId: string) {
  const { results } = await d1.prepare('select id from sessions where user_id = ?1').bind(userId).all<{ id: string }>();
  return results;
}
