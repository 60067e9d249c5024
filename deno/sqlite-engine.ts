// The SQL engine on a local SQLite file through node:sqlite (built into Deno). node:sqlite is
// synchronous, so a statement or a whole batch runs to its end before any other request's code:
// within one process nothing interleaves. Several processes on one file are serialised by SQLite's
// write lock (BEGIN IMMEDIATE, WAL, a busy timeout), as D1 serialises writers to one database.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqlEngine, SqlResult, SqlStatement, SqlValue } from './sql-engine.ts';

const BUSY_TIMEOUT_MS = 5000;
// Prepared statements are kept by their SQL; the app has a fixed set of shapes, and the cap only
// guards against a caller that builds unbounded variants.
const STATEMENT_CACHE_SIZE = 500;

export function openSqliteEngine(path: string): SqlEngine {
  const db = new DatabaseSync(path);
  // D1 enforces foreign keys; account deletion relies on ON DELETE CASCADE to end sessions.
  db.exec(`PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');

  const cache = new Map<string, StatementSync>();
  function prepared(sql: string): StatementSync {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      statement = db.prepare(sql);
      statement.setReturnArrays(true);
      cache.set(sql, statement);
    }
    return statement;
  }

  function run({ sql, params }: SqlStatement): SqlResult {
    const statement = prepared(sql);
    const columns = statement.columns().map((column) => column.name);
    if (columns.length === 0) {
      const { changes, lastInsertRowid } = statement.run(...params);
      return { columns, rows: [], changes: Number(changes), lastRowId: Number(lastInsertRowid) };
    }
    const rows = statement.all(...params) as unknown as SqlValue[][];
    // A statement with result columns is a read, or a write with RETURNING (one row per change).
    const writes = !/^\s*(select|with|values|pragma)\b/i.test(sql);
    return { columns, rows, changes: writes ? rows.length : 0, lastRowId: 0 };
  }

  function inTransaction<T>(work: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  return {
    execute: (statement) => Promise.resolve().then(() => run(statement)),
    transaction: (statements) => Promise.resolve().then(() => inTransaction(() => statements.map(run))),
    executeScript: (sql) => Promise.resolve().then(() => inTransaction(() => db.exec(sql))),
    close: () => db.close(),
  };
}
