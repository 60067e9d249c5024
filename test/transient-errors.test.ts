import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/core/kit/errors';
import { problemDocument } from '../src/web/problem';
import {
  classifyStorageError,
  isRetryableStorageError,
  isTransientStorageError,
  toUnavailable,
} from '../src/storage/transient-errors';
import { d1Error, kvError, networkLostError } from './support/faults';

// Verbatim from https://developers.cloudflare.com/d1/observability/debug-d1/#error-list
const retryOperationMessages = [
  'D1 DB reset because its code was updated.',
  'Internal error while starting up D1 DB storage caused object to be reset.',
  'Network connection lost.',
  'Internal error in D1 DB storage caused object to be reset.',
  'Cannot resolve D1 DB due to transient issue on remote node.',
  "Can't read from request stream because client disconnected.",
];
const sendLessMessages = [
  'D1 DB storage operation exceeded timeout which caused object to be reset.',
  'D1 DB is overloaded. Requests queued for too long.',
  'D1 DB is overloaded. Too many requests queued.',
];
const queryCausedMessages = [
  "D1 DB's isolate exceeded its memory limit and was reset.",
  'D1 DB exceeded its CPU time limit and was reset.',
];

/** The way drizzle's queryWithCache wraps a binding failure (drizzle-orm/sqlite-core/session.js). */
function drizzleWrapped(cause: unknown, params: unknown[] = ['someone@example.com']) {
  return new DrizzleQueryError('select "id" from "users" where "email" = ?', params, cause as Error);
}

describe('transient storage errors', () => {
  it.each(retryOperationMessages)('classifies D1 "%s" as transient and worth one retry', (message) => {
    expect(isTransientStorageError(d1Error(message))).toBe(true);
    expect(isRetryableStorageError(d1Error(message))).toBe(true);
  });

  it.each(sendLessMessages)('answers D1 "%s" with 503 but does not retry into an overloaded database', (message) => {
    expect(isTransientStorageError(d1Error(message))).toBe(true);
    expect(isRetryableStorageError(d1Error(message))).toBe(false);
    expect(classifyStorageError(d1Error(message))).toMatchObject({ kind: 'd1_overloaded', retryAfterSeconds: 5 });
  });

  it.each(queryCausedMessages)('keeps D1 "%s" a bug: the query itself caused it', (message) => {
    expect(isTransientStorageError(d1Error(message))).toBe(false);
  });

  it('finds the D1 failure through drizzle’s DrizzleQueryError wrapper', () => {
    const wrapped = drizzleWrapped(d1Error('Network connection lost.'));
    expect(wrapped.message).toMatch(/^Failed query: /);
    expect(classifyStorageError(wrapped)).toEqual({ kind: 'network_lost', retryable: true, retryAfterSeconds: 1 });
  });

  it('recognises the bare message D1 puts in `cause`, without the D1_ERROR prefix', () => {
    expect(classifyStorageError(new Error('Internal error in D1 DB storage caused object to be reset.'))).toMatchObject(
      { kind: 'd1_reset', retryable: true },
    );
  });

  it('is not fooled by documented words inside the bound values of a failed query', () => {
    const constraint = d1Error('UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT');
    const wrapped = drizzleWrapped(constraint, ['Network connection lost.', 'D1 DB is overloaded.']);
    expect(isTransientStorageError(wrapped)).toBe(false);
  });

  it('keeps SQL and constraint errors bugs', () => {
    expect(isTransientStorageError(d1Error('no such table: users: SQLITE_ERROR'))).toBe(false);
    expect(isTransientStorageError(drizzleWrapped(d1Error('UNIQUE constraint failed: users.username')))).toBe(false);
    expect(isTransientStorageError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });

  it('classifies the runtime’s dropped connection on any binding as a retryable network loss', () => {
    expect(classifyStorageError(networkLostError())).toMatchObject({ kind: 'network_lost', retryable: true });
  });

  it('answers KV’s one-write-per-second refusal with 503 and waits a second rather than retrying at once', () => {
    const error = kvError('PUT', 429, 'Too Many Requests');
    expect(error.message).toBe('KV PUT failed: 429 Too Many Requests');
    expect(classifyStorageError(error)).toEqual({ kind: 'kv_rate_limited', retryable: false, retryAfterSeconds: 1 });
  });

  it.each([
    ['GET', 500, 'Internal Server Error'],
    ['PUT', 502, 'Bad Gateway'],
    ['DELETE', 503, 'Service Unavailable'],
    ['GET', 504, 'Gateway Timeout'],
  ] as const)('classifies KV %s failing with %i as transient and retryable', (method, status, text) => {
    expect(classifyStorageError(kvError(method, status, text))).toMatchObject({
      kind: 'kv_unavailable',
      retryable: true,
    });
  });

  it('keeps a KV client error a bug', () => {
    expect(isTransientStorageError(kvError('PUT', 400, 'Bad Request'))).toBe(false);
    expect(
      isTransientStorageError(
        new Error('KV GET failed: 414 UTF-8 encoded length of 600 exceeds key length limit of 512.'),
      ),
    ).toBe(false);
  });

  it('answers non-errors and cyclic cause chains without looping', () => {
    expect(isTransientStorageError('Network connection lost.')).toBe(false);
    expect(isTransientStorageError(undefined)).toBe(false);
    const cyclic = new Error('outer');
    cyclic.cause = cyclic;
    expect(isTransientStorageError(cyclic)).toBe(false);
  });
});

describe('the unavailable problem', () => {
  it('turns a transient failure into AuthError unavailable with Retry-After, keeping the cause', () => {
    const original = drizzleWrapped(d1Error('D1 DB is overloaded. Too many requests queued.'));
    const problem = toUnavailable(original);
    expect(problem).toBeInstanceOf(AuthError);
    expect(problem).toMatchObject({ code: 'unavailable', retryAfterSeconds: 5, cause: original });
    expect(problem!.detail).not.toMatch(/D1|SQL|overloaded|example\.com/);
  });

  it('leaves a bug alone, so it still answers 500', () => {
    expect(toUnavailable(d1Error('no such column: nickname'))).toBeNull();
  });

  it('is catalogued as a 503 problem', () => {
    expect(problemDocument('unavailable', 'Try again.')).toMatchObject({
      status: 503,
      code: 'unavailable',
      type: 'urn:latchkey:problem:unavailable',
    });
  });
});
