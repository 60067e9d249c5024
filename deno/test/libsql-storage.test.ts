// The libSQL engine (the scale-out path) through the same D1 facade, on a local libSQL file: the
// storage modules keep their single-winner rules there too.
import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { createD1Facade } from '../d1-facade.ts';
import { openLibsqlEngine } from '../libsql-engine.ts';
import { applyMigrations } from '../migrations.ts';
import { createD1UserRepository } from '../../src/storage/d1-user-repository.ts';
import { migrationsDir, newUser } from './support.ts';

async function openLibsqlDatabase() {
  const dir = await Deno.makeTempDir({ prefix: 'latchkey-libsql-' });
  const engine = await openLibsqlEngine(`file:${dir}/latchkey.db`, undefined);
  await applyMigrations(engine, migrationsDir);
  return {
    d1: createD1Facade(engine),
    async [Symbol.asyncDispose]() {
      engine.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test('libSQL: lets exactly one of ten parallel registrations of one username win', async () => {
  await using db = await openLibsqlDatabase();
  const users = createD1UserRepository(db.d1);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, n) => users.create(newUser('alice', `alice${n}@example.com`))),
  );
  assertEquals(results.filter((result) => result.ok).length, 1);
  assert(results.every((result) => result.ok || result.conflict === 'username'));
});

Deno.test('libSQL: changes the password once for parallel resets with one token', async () => {
  await using db = await openLibsqlDatabase();
  const users = createD1UserRepository(db.d1);
  const input = newUser('dave');
  await users.create(input);
  const changed = await Promise.all(
    ['one', 'two', 'three'].map((hash) =>
      users.replacePassword({
        userId: input.id,
        expectedVersion: 0,
        passwordHash: hash,
        now: Date.now(),
        verifyEmail: true,
      }),
    ),
  );
  assertEquals(changed.filter(Boolean).length, 1);
  const stored = await users.findWithCredential({ email: input.email });
  assertEquals(stored?.user.username, 'dave');
  assertEquals(stored?.credential.passwordVersion, 1);
});
