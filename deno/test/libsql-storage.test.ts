// The libSQL engine (the scale-out path) through the same D1 facade, on a local libSQL file: the
// storage modules keep their single-winner rules there too.
import { createD1Facade } from '../d1-facade.ts';
import { openLibsqlEngine } from '../libsql-engine.ts';
import { applyMigrations } from '../migrations.ts';
import { raceCases } from './race-cases.ts';
import { migrationsDir } from './support.ts';

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

for (const [name, run] of raceCases) {
  Deno.test(`libSQL: ${name}`, async () => {
    await using db = await openLibsqlDatabase();
    await run(db.d1);
  });
}
