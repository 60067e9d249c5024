// A D1Database over a SQLite engine, so the D1 storage modules (src/storage/d1-*.ts, through
// drizzle's d1 driver or raw prepare/bind) run unchanged on Deno. It implements the part of D1 that
// Latchkey and drizzle use: prepare, bind (numbered ?N parameters, as SQLite itself reads them),
// first, all, run, raw, and batch as one transaction, which is where every conditional write's
// single-winner rule lives (see README "Running on Deno").
import type { SqlEngine, SqlResult, SqlStatement, SqlValue } from './sql-engine.ts';

/** D1 turns booleans into 0/1 and undefined into null; SQLite drivers refuse both. */
function sqlValueOf(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`D1_TYPE_ERROR: Type '${typeof value}' not supported for value '${String(value)}'`);
}

function objectsOf(result: SqlResult): Record<string, SqlValue>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((name, index) => [name, row[index]!])));
}

function d1ResultOf(result: SqlResult, durationMs: number) {
  return {
    success: true as const,
    results: objectsOf(result),
    meta: {
      duration: durationMs,
      changes: result.changes,
      last_row_id: result.lastRowId,
      changed_db: result.changes > 0,
      size_after: 0,
      rows_read: result.rows.length,
      rows_written: result.changes,
    },
  };
}

class FacadeStatement {
  constructor(
    private readonly engine: SqlEngine,
    readonly statement: SqlStatement,
  ) {}

  bind(...values: unknown[]): FacadeStatement {
    return new FacadeStatement(this.engine, { sql: this.statement.sql, params: values.map(sqlValueOf) });
  }

  async first<T = Record<string, unknown>>(column?: string): Promise<T | null> {
    const [row] = objectsOf(await this.engine.execute(this.statement));
    if (!row) return null;
    if (column === undefined) return row as T;
    if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
    return row[column] as T;
  }

  async all() {
    const started = performance.now();
    return d1ResultOf(await this.engine.execute(this.statement), performance.now() - started);
  }

  run() {
    return this.all();
  }

  async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    const result = await this.engine.execute(this.statement);
    const rows = result.rows as T[];
    return options?.columnNames ? [result.columns as T, ...rows] : rows;
  }
}

export function createD1Facade(engine: SqlEngine): D1Database {
  const facade = {
    prepare: (sql: string) => new FacadeStatement(engine, { sql, params: [] }),
    async batch(statements: FacadeStatement[]) {
      const started = performance.now();
      const results = await engine.transaction(statements.map((statement) => statement.statement));
      const duration = performance.now() - started;
      return results.map((result) => d1ResultOf(result, duration));
    },
    async exec(sql: string) {
      await engine.executeScript(sql);
      return { count: 1, duration: 0 };
    },
    dump(): Promise<ArrayBuffer> {
      return Promise.reject(new Error('dump is not supported on this database'));
    },
    withSession() {
      return facade;
    },
  };
  return facade as unknown as D1Database;
}
