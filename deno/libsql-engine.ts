// The SQL engine on a libSQL server (Turso, or a self-hosted sqld) for deployments that outgrow one
// machine: every Latchkey process talks to the one primary, and a batch runs there as one write
// transaction, so the conditional writes keep a single winner across machines exactly as on D1.
// `file:` URLs open a local libSQL file (used by tests; needs --allow-ffi for the native module).
import type { Client, InStatement, ResultSet } from '@libsql/client';
import type { SqlEngine, SqlResult, SqlValue } from './sql-engine.ts';

function resultOf(result: ResultSet): SqlResult {
  return {
    columns: result.columns,
    rows: result.rows.map((row) => result.columns.map((_, index) => row[index] as SqlValue)),
    changes: result.rowsAffected,
    lastRowId: Number(result.lastInsertRowid ?? 0),
  };
}

export async function openLibsqlEngine(url: string, authToken: string | undefined): Promise<SqlEngine> {
  // The web client speaks HTTP with fetch alone (no native module, no extra permission).
  const { createClient } = url.startsWith('file:')
    ? await import('@libsql/client')
    : await import('@libsql/client/web');
  const client: Client = createClient(authToken ? { url, authToken } : { url });
  await client.execute('PRAGMA foreign_keys = ON');
  // Account deletion ends sessions through ON DELETE CASCADE. A server whose connections do not
  // enforce foreign keys would leave a deleted user's sessions alive: refuse to start instead.
  const enforced = await client.execute('PRAGMA foreign_keys');
  if (Number(enforced.rows[0]?.[0] ?? 0) !== 1) {
    client.close();
    throw new Error('the libSQL server does not enforce foreign keys (PRAGMA foreign_keys is off)');
  }
  const statementOf = (statement: { sql: string; params: SqlValue[] }): InStatement => ({
    sql: statement.sql,
    args: statement.params,
  });
  return {
    execute: async (statement) => resultOf(await client.execute(statementOf(statement))),
    transaction: async (statements) => (await client.batch(statements.map(statementOf), 'write')).map(resultOf),
    executeScript: (sql) => client.executeMultiple(`BEGIN IMMEDIATE;\n${sql}\n;COMMIT;`),
    close: () => client.close(),
  };
}
