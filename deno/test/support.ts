// Opens a fresh, migrated SQLite database in a temporary file for each test.
import type {} from '@cloudflare/workers-types/index.ts';
import { createD1Facade } from '../d1-facade.ts';
import { applyMigrations } from '../migrations.ts';
import type { SqlEngine } from '../sql-engine.ts';
import { openSqliteEngine } from '../sqlite-engine.ts';

export const migrationsDir = new URL('../../migrations/', import.meta.url);

export interface TestDatabase {
  path: string;
  engine: SqlEngine;
  d1: D1Database;
  /** Another connection to the same file, as a second process would have. */
  connect(): SqlEngine;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const dir = await Deno.makeTempDir({ prefix: 'latchkey-sqlite-' });
  const path = `${dir}/latchkey.sqlite`;
  const engine = openSqliteEngine(path);
  await applyMigrations(engine, migrationsDir);
  const others: SqlEngine[] = [];
  return {
    path,
    engine,
    d1: createD1Facade(engine),
    connect() {
      const other = openSqliteEngine(path);
      others.push(other);
      return other;
    },
    async [Symbol.asyncDispose]() {
      for (const other of others) other.close();
      engine.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

export function newUser(username: string, email = `${username}@example.com`) {
  return { id: crypto.randomUUID(), username, email, passwordHash: 'hash', displayName: null, now: Date.now() };
}
