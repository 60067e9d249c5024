// Fault injection around the real bindings and outbound fetch: fail the nth call, fail calls that
// match a statement, key or URL, delay a call, or hang one until its signal aborts. Each wrapper
// records its calls, so a test can run a flow once, count its storage steps, then fail each in turn.
// The errors are shaped like the platform's own (message and cause), copied from Cloudflare's docs
// and workerd's source, never from src/storage/transient-errors.ts, so the classifier is checked
// against the platform and not against itself.

/** D1's binding: `D1_ERROR: <message>` with the bare message as cause (workerd's d1-api). */
export function d1Error(message = 'Network connection lost.'): Error {
  return new Error(`D1_ERROR: ${message}`, { cause: new Error(message) });
}

/** KV's binding on a non-2xx answer (workerd's kv.c++): `KV PUT failed: 429 Too Many Requests`. */
export function kvError(method: 'GET' | 'PUT' | 'DELETE', status = 503, statusText = 'Service Unavailable'): Error {
  return new Error(`KV ${method} failed: ${status} ${statusText}`);
}

/** What the runtime throws for any subrequest whose connection drops. */
export function networkLostError(): Error {
  return new Error('Network connection lost.');
}

export interface Fault<Call> {
  /** Counts only the calls this accepts (by default, all of them). */
  match?: (call: Call) => boolean;
  /** Fires from the nth matching call (1-based); by default from the first. */
  nth?: number;
  /** On how many matching calls it fires; by default 1 with `nth`, every one without. */
  times?: number;
  /** Waits this long first. Alone, the call then goes through: a slow dependency, not a broken one. */
  delayMs?: number;
  /** The error thrown; by default the binding's transient error. */
  error?: () => unknown;
  /**
   * Lets the call reach the real binding first, then throws: the write landed but its answer was
   * lost. This is why a non-idempotent write must never be retried blindly.
   */
  afterCall?: boolean;
}

/** Which fault fires on this call, if any: each fault counts the calls it matches. */
function faultPlan<Call, F extends Fault<Call>>(faults: readonly F[]): (call: Call) => F | undefined {
  const seen = faults.map(() => 0);
  return (call) =>
    faults.find((fault, index) => {
      if (fault.match && !fault.match(call)) return false;
      const count = ++seen[index]!;
      const first = fault.nth ?? 1;
      const times = fault.times ?? (fault.nth === undefined ? Infinity : 1);
      return count >= first && count < first + times;
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies a fired fault: waits if asked, then throws unless it was only a delay. */
async function strike(fault: Fault<never> | undefined, defaultError: () => unknown): Promise<void> {
  if (!fault) return;
  if (fault.delayMs !== undefined) await sleep(fault.delayMs);
  if (fault.delayMs === undefined || fault.error) throw (fault.error ?? defaultError)();
}

/** Performs a call under its fault (if any), before or after the real call. */
async function perform<T>(fault: Fault<never> | undefined, real: () => Promise<T>, defaultError: () => unknown) {
  if (fault?.afterCall) {
    const result = await real();
    await strike(fault, defaultError);
    return result;
  }
  await strike(fault, defaultError);
  return real();
}

export type D1Operation = 'first' | 'all' | 'run' | 'raw' | 'batch';

export interface D1Call {
  operation: D1Operation;
  /** One statement, or every statement of a batch. */
  sql: string[];
}

export interface D1Fault extends Fault<D1Call> {
  operation?: D1Operation | D1Operation[];
  /** Matches when any statement of the call matches. */
  sql?: RegExp;
}

function d1Matcher(fault: D1Fault): (call: D1Call) => boolean {
  const operations = fault.operation === undefined ? undefined : [fault.operation].flat();
  return (call) =>
    (!operations || operations.includes(call.operation)) &&
    (!fault.sql || call.sql.some((sql) => fault.sql!.test(sql))) &&
    (!fault.match || fault.match(call));
}

/**
 * The real D1 binding behind a fault plan. Works under drizzle, which only calls prepare, bind,
 * first/all/run/raw and batch. A failed call never reaches the database (unless `afterCall`), so
 * a failed batch writes nothing, exactly like a batch that D1 rolled back.
 */
export function faultyD1(real: D1Database, faults: D1Fault[] = []): { db: D1Database; calls: D1Call[] } {
  const calls: D1Call[] = [];
  const plan = faultPlan<D1Call, D1Fault>(faults.map((fault) => ({ ...fault, match: d1Matcher(fault) })));
  // What each wrapper stands for, so batch() can name its statements and hand D1 the real ones.
  const realOf = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();

  function attempt<T>(call: D1Call, real: () => Promise<T>): Promise<T> {
    calls.push(call);
    return perform(plan(call), real, () => d1Error());
  }

  function wrap(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
    const run =
      (operation: Exclude<D1Operation, 'batch'>) =>
      (...args: unknown[]) =>
        attempt({ operation, sql: [sql] }, () =>
          (statement[operation] as (...args: unknown[]) => Promise<unknown>).apply(statement, args),
        );
    const wrapped = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: run('first'),
      all: run('all'),
      run: run('run'),
      raw: run('raw'),
    } as unknown as D1PreparedStatement;
    realOf.set(wrapped, statement);
    sqlOf.set(wrapped, sql);
    return wrapped;
  }

  // A D1 session (a read-replica read, SESSION_READS=replica) meets the same faults as the binding.
  const client = (target: D1Database | D1DatabaseSession) => ({
    prepare: (query: string) => wrap(target.prepare(query), query),
    batch: (statements: D1PreparedStatement[]) =>
      attempt({ operation: 'batch', sql: statements.map((statement) => sqlOf.get(statement) ?? '') }, () =>
        target.batch(statements.map((statement) => realOf.get(statement) ?? statement)),
      ),
  });
  const db = {
    ...client(real),
    exec: (query: string) => real.exec(query),
    withSession(constraint?: string) {
      const session = real.withSession(constraint);
      return { ...client(session), getBookmark: () => session.getBookmark() };
    },
  } as unknown as D1Database;
  return { db, calls };
}

export type KvOperation = 'get' | 'getWithMetadata' | 'put' | 'delete' | 'list';

export interface KvCall {
  operation: KvOperation;
  key: string;
}

export interface KvFault extends Fault<KvCall> {
  operation?: KvOperation | KvOperation[];
  key?: RegExp;
}

const kvMethods: Record<KvOperation, 'GET' | 'PUT' | 'DELETE'> = {
  get: 'GET',
  getWithMetadata: 'GET',
  list: 'GET',
  put: 'PUT',
  delete: 'DELETE',
};

/** The real KV namespace behind a fault plan; by default a failure is the call's 503. */
export function faultyKv(real: KVNamespace, faults: KvFault[] = []): { kv: KVNamespace; calls: KvCall[] } {
  const calls: KvCall[] = [];
  const plan = faultPlan<KvCall, KvFault>(
    faults.map((fault) => {
      const operations = fault.operation === undefined ? undefined : [fault.operation].flat();
      return {
        ...fault,
        match: (call: KvCall) =>
          (!operations || operations.includes(call.operation)) &&
          (!fault.key || fault.key.test(call.key)) &&
          (!fault.match || fault.match(call)),
      };
    }),
  );
  const run =
    (operation: KvOperation) =>
    async (...args: unknown[]) => {
      const key = operation === 'list' ? ((args[0] as KVNamespaceListOptions | undefined)?.prefix ?? '') : args[0];
      const call = { operation, key: String(key) };
      calls.push(call);
      return perform(
        plan(call),
        () => (real[operation] as (...args: unknown[]) => Promise<unknown>).apply(real, args),
        () => kvError(kvMethods[operation]),
      );
    };
  const kv = {
    get: run('get'),
    getWithMetadata: run('getWithMetadata'),
    put: run('put'),
    delete: run('delete'),
    list: run('list'),
  } as unknown as KVNamespace;
  return { kv, calls };
}

export interface FetchCall {
  method: string;
  url: string;
}

export interface FetchFault extends Fault<FetchCall> {
  url?: RegExp;
  /** Answers this instead of calling through (a provider's 503, say). */
  response?: () => Response;
  /** Never answers: rejects with the signal's reason when it aborts, as the runtime does on timeout. */
  hang?: boolean;
}

/**
 * A fetch behind a fault plan: fail (network lost by default), answer with a given response, hang
 * until the caller's signal aborts, or delay. A hang without a signal would hang the test, so it
 * is refused loudly.
 */
export function faultyFetch(
  real: typeof fetch,
  faults: FetchFault[] = [],
): { fetch: typeof fetch; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const plan = faultPlan<FetchCall, FetchFault>(
    faults.map((fault) => ({
      ...fault,
      match: (call: FetchCall) => (!fault.url || fault.url.test(call.url)) && (!fault.match || fault.match(call)),
    })),
  );

  const faulty = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const call = { method: request.method, url: request.url };
    calls.push(call);
    const fault = plan(call);
    if (fault?.response || fault?.hang) {
      if (fault.delayMs !== undefined) await sleep(fault.delayMs);
      if (fault.response) return fault.response();
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (!signal) throw new Error('faultyFetch: a hung call needs an AbortSignal, or the test would hang');
      return new Promise<Response>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return perform(fault, () => real(input, init), networkLostError);
  };
  return { fetch: faulty as typeof fetch, calls };
}
