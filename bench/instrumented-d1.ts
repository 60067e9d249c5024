// The benchmark's D1 binding: counts every round trip (a statement run, a batch, an exec) and can
// add a fixed delay to each one sent to the primary, to simulate a user far from it. Reads through
// a 'first-unconstrained' D1 session count as replica trips and are never delayed (a replica near
// the user). Served only by bench/worker.ts.

export interface RoundTrips {
  primary: number;
  replica: number;
}

type Side = keyof RoundTrips;

export function instrumentD1(db: D1Database, primaryDelayMs: number, trips: RoundTrips): D1Database {
  // batch() must receive the runtime's own statements, so each wrapper remembers its original.
  const originals = new WeakMap<object, D1PreparedStatement>();

  const trip = async <T>(side: Side, send: () => Promise<T>): Promise<T> => {
    trips[side] += 1;
    if (side === 'primary' && primaryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, primaryDelayMs));
    return send();
  };

  const wrapStatement = (statement: D1PreparedStatement, side: Side): D1PreparedStatement => {
    const wrapped = {
      bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), side),
      first: (column?: string) => trip(side, () => (column ? statement.first(column) : statement.first())),
      run: () => trip(side, () => statement.run()),
      all: () => trip(side, () => statement.all()),
      raw: (options?: { columnNames?: boolean }) => trip(side, () => statement.raw(options as { columnNames?: false })),
    } as unknown as D1PreparedStatement;
    originals.set(wrapped, statement);
    return wrapped;
  };

  const wrapClient = (client: D1Database | D1DatabaseSession, side: Side) => ({
    prepare: (query: string) => wrapStatement(client.prepare(query), side),
    batch: <T>(statements: D1PreparedStatement[]) =>
      trip(side, () => client.batch<T>(statements.map((statement) => originals.get(statement) ?? statement))),
  });

  return {
    ...wrapClient(db, 'primary'),
    exec: (query: string) => trip('primary', () => db.exec(query)),
    withSession(constraint?: string) {
      const session = db.withSession(constraint);
      // Locally every session reads the one database; a bookmark or 'first-primary' asks the primary.
      return {
        ...wrapClient(session, constraint === 'first-unconstrained' ? 'replica' : 'primary'),
        getBookmark: () => session.getBookmark(),
      };
    },
    dump: () => db.dump(),
  } as unknown as D1Database;
}
