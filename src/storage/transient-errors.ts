// Tells a platform outage from a bug. A D1 or KV failure is transient only when its message is one
// Cloudflare documents as such; anything else (a constraint, a syntax error, a bad binding) stays a
// bug and answers 500. Messages are matched at their start, never anywhere inside: drizzle's
// wrapper message embeds the SQL and its bound values, which a user could fill with these words.
//
// Sources, quoted verbatim below:
// - D1 "Error list" (https://developers.cloudflare.com/d1/observability/debug-d1/#error-list) and
//   "Retry queries" (https://developers.cloudflare.com/d1/best-practices/retry-queries/). The
//   binding throws `new Error('D1_ERROR: <message>', { cause: new Error('<message>') })`.
// - KV: the runtime throws `KV <GET|PUT|DELETE> failed: <status> <status text>` for any non-2xx
//   answer (workerd src/workerd/api/kv.c++, checkForErrorStatus). A 429 is the documented limit of
//   one write per second per key ("Limits to KV writes to the same key",
//   https://developers.cloudflare.com/kv/api/write-key-value-pairs/); a 5xx is the service failing.
import { AuthError } from '../core/kit/errors';

/** Which outage it was: stable labels for logs, never the message itself. */
export type TransientStorageErrorKind =
  'd1_reset' | 'd1_unreachable' | 'd1_overloaded' | 'network_lost' | 'kv_rate_limited' | 'kv_unavailable';

export interface TransientStorageError {
  kind: TransientStorageErrorKind;
  /** Worth one immediate retry: D1's table says "Retry the operation". */
  retryable: boolean;
  /** What a 503 tells the client to wait. */
  retryAfterSeconds: number;
}

interface KnownMessage extends TransientStorageError {
  message: string;
}

// D1's rows whose recommended action is "Retry the operation" are retryable. The overload and
// storage-timeout rows ask the application to send less: the database is up but saturated, so an
// immediate retry adds load; they still answer 503, with a longer wait. The isolate memory and
// CPU-limit resets are left out on purpose: they are caused by the query itself and would repeat.
const d1Messages: readonly KnownMessage[] = [
  { message: 'D1 DB reset because its code was updated.', kind: 'd1_reset', retryable: true, retryAfterSeconds: 1 },
  {
    message: 'Internal error while starting up D1 DB storage caused object to be reset.',
    kind: 'd1_reset',
    retryable: true,
    retryAfterSeconds: 1,
  },
  {
    message: 'Internal error in D1 DB storage caused object to be reset.',
    kind: 'd1_reset',
    retryable: true,
    retryAfterSeconds: 1,
  },
  { message: 'Network connection lost.', kind: 'network_lost', retryable: true, retryAfterSeconds: 1 },
  {
    message: 'Cannot resolve D1 DB due to transient issue on remote node.',
    kind: 'd1_unreachable',
    retryable: true,
    retryAfterSeconds: 1,
  },
  {
    message: "Can't read from request stream because client disconnected.",
    kind: 'network_lost',
    retryable: true,
    retryAfterSeconds: 1,
  },
  {
    message: 'D1 DB storage operation exceeded timeout which caused object to be reset.',
    kind: 'd1_overloaded',
    retryable: false,
    retryAfterSeconds: 5,
  },
  { message: 'D1 DB is overloaded.', kind: 'd1_overloaded', retryable: false, retryAfterSeconds: 5 },
];

// The binding's prefix; a message may arrive with it (the thrown error) or without (its cause).
const D1_PREFIX = /^(?:D1_(?:EXEC_)?ERROR: )*/;
const KV_FAILURE = /^KV (?:GET|GET_BULK|PUT|DELETE) failed: (\d{3}) /;

function classifyMessage(message: string): TransientStorageError | null {
  const bare = message.replace(D1_PREFIX, '');
  // Ignoring the trailing full stop lets "D1 DB is overloaded." cover both of its documented
  // variants ("Requests queued for too long.", "Too many requests queued.").
  const known = d1Messages.find((entry) => bare.startsWith(entry.message.replace(/\.$/, '')));
  if (known) return { kind: known.kind, retryable: known.retryable, retryAfterSeconds: known.retryAfterSeconds };
  const status = Number(KV_FAILURE.exec(message)?.[1]);
  // One write per second per key: retrying within milliseconds would meet the same limit.
  if (status === 429) return { kind: 'kv_rate_limited', retryable: false, retryAfterSeconds: 1 };
  if (status >= 500 && status <= 599) return { kind: 'kv_unavailable', retryable: true, retryAfterSeconds: 1 };
  return null;
}

/**
 * The documented transient failure somewhere in the error's `cause` chain (drizzle wraps the
 * binding's error in a DrizzleQueryError), or null for anything else.
 */
export function classifyStorageError(error: unknown): TransientStorageError | null {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const found = classifyMessage(current.message);
    if (found) return found;
  }
  return null;
}

/** True for a documented D1 or KV outage: answer 503 `unavailable`, not 500. */
export function isTransientStorageError(error: unknown): boolean {
  return classifyStorageError(error) !== null;
}

/** True when one immediate retry is what the platform recommends (for reads and idempotent writes). */
export function isRetryableStorageError(error: unknown): boolean {
  return classifyStorageError(error)?.retryable === true;
}

/**
 * The 503 answer for a transient storage failure, keeping the original as `cause`; null when the
 * error is not one (it stays a 500). Meant for the app's one error handler.
 */
export function toUnavailable(error: unknown): AuthError | null {
  const transient = classifyStorageError(error);
  if (!transient) return null;
  return new AuthError('unavailable', 'The service is briefly unavailable. Try again in a moment.', [], {
    cause: error,
    retryAfterSeconds: transient.retryAfterSeconds,
  });
}
