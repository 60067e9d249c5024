// A D1 binding with a read replica that lags: a D1 session opened with 'first-unconstrained'
// (a replica read) sees the session tables as they were at the last `sync()`, while every other
// query goes to the real database, the primary. The replica's tables are copies kept in the same
// local database under a `replica_` prefix; a replica query reads them by renaming the table
// names, quoted (drizzle) or not (plain SQL). Each query is counted by where it went.
const replicatedTables = ['sessions', 'users', 'accounts', 'profiles', 'refresh_tokens'];
const replicatedName = new RegExp(`\\b(${replicatedTables.join('|')})\\b`, 'g');

export interface LaggingReplica {
  /** The binding to give the app as `DB`. */
  binding: D1Database;
  /** Queries sent to each side so far. */
  queries: { primary: number; replica: number };
  /** Brings the replica up to date with the primary (replication catching up). */
  sync(): Promise<void>;
}

export async function createLaggingReplica(primary: D1Database): Promise<LaggingReplica> {
  const queries = { primary: 0, replica: 0 };
  const replicaSession = {
    prepare(query: string) {
      queries.replica += 1;
      return primary.prepare(query.replace(replicatedName, 'replica_$1'));
    },
    batch: (statements: D1PreparedStatement[]) => primary.batch(statements),
    getBookmark: () => null,
  };
  const binding = {
    prepare(query: string) {
      queries.primary += 1;
      return primary.prepare(query);
    },
    batch: (statements: D1PreparedStatement[]) => primary.batch(statements),
    exec: (query: string) => primary.exec(query),
    withSession: (constraint?: string) =>
      constraint === 'first-unconstrained' ? replicaSession : primary.withSession(constraint),
  } as unknown as D1Database;

  const copy = (where: string) =>
    primary.batch(
      replicatedTables.flatMap((table) => [
        primary.prepare(`drop table if exists "replica_${table}"`),
        primary.prepare(`create table "replica_${table}" as select * from "${table}" ${where}`),
      ]),
    );
  // The replica starts empty: it knows nothing written before the test either.
  await copy('where 0');
  return { binding, queries, sync: () => copy('').then(() => undefined) };
}
