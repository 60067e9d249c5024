// Applies migrations/*.sql at start, in name order, each once, recorded in d1_migrations: the table
// and names `wrangler d1 migrations apply` uses, so one migrations folder serves D1 and SQLite.
import type { SqlEngine } from './sql-engine.ts';

const migrationsTable = `create table if not exists d1_migrations (
  id integer primary key autoincrement,
  name text unique,
  applied_at timestamp default current_timestamp not null
)`;

/** Applies what is missing and returns the names applied now. */
export async function applyMigrations(engine: SqlEngine, directory: URL): Promise<string[]> {
  await engine.execute({ sql: migrationsTable, params: [] });
  const applied = new Set(
    (await engine.execute({ sql: 'select name from d1_migrations', params: [] })).rows.map((row) => String(row[0])),
  );
  const names: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && entry.name.endsWith('.sql')) names.push(entry.name);
  }
  const pending = names.sort().filter((name) => !applied.has(name));
  for (const name of pending) {
    const script = await Deno.readTextFile(new URL(name, directory));
    // The migration and its record in one transaction: a failed migration leaves no trace.
    const escaped = name.replaceAll("'", "''");
    await engine.executeScript(`${script}\n;insert into d1_migrations (name) values ('${escaped}');`);
  }
  return pending;
}
