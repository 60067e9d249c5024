// The D1 facade on a real SQLite file: migrations applied once, a batch as one transaction, and
// one winner across two connections to one file. What the D1 storage modules promise through their
// ports runs here too, in the contract suites (contracts.test.ts).
import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { createD1Facade } from '../d1-facade.ts';
import { applyMigrations } from '../migrations.ts';
import { createD1UserRepository } from '../../src/storage/d1-user-repository.ts';
import { migrationsDir, newUser, openTestDatabase } from './support.ts';

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
