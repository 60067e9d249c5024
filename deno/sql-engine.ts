// What the D1 facade needs from a SQLite engine: run one statement, or several as one transaction.
// Two engines implement it: node:sqlite on a local file (sqlite-engine.ts) and a libSQL server
// (libsql-engine.ts). Rows come back as arrays in column order, as D1's raw() gives them, so joins
// with repeated column names (drizzle's select of users with profiles) keep every column.

export type SqlValue = string | number | bigint | null | Uint8Array;

export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

export interface SqlResult {
  columns: string[];
  rows: SqlValue[][];
  /** Rows written by the statement (0 for a read). */
  changes: number;
  lastRowId: number;
}

export interface SqlEngine {
  execute(statement: SqlStatement): Promise<SqlResult>;
  /** Runs every statement in one write transaction: all apply or none does. */
  transaction(statements: SqlStatement[]): Promise<SqlResult[]>;
  /** Runs a script of several statements (a migration file) in one transaction. */
  executeScript(sql: string): Promise<void>;
  close(): void;
}
