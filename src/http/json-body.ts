// Body handling shared by every JSON route: the media type must be JSON (415 otherwise), the body
// must parse (invalid_json), and it must match the route's zod schema (validation_failed, with a
// message per field). All answer in the problem format.
import { zValidator } from '@hono/zod-validator';
import type * as z from 'zod/mini';
import type { FieldIssue } from '../core/kit/errors';
import { problemResponse } from '../web/problem';

const jsonMediaType = /^application\/(?:[\w.-]+\+)?json$/i;

export function fieldIssuesOf(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

function isJsonRequest(contentType: string | undefined): boolean {
  return jsonMediaType.test((contentType ?? '').split(';')[0]!.trim());
}

/**
 * Validates a JSON body with zod. Malformed JSON makes Hono's validator throw an HTTPException
 * before the hook runs; the app's error handler answers it as `invalid_json`.
 */
export function jsonBody<T extends z.ZodMiniType>(schema: T) {
  return zValidator('json', schema, (result, c) => {
    if (!isJsonRequest(c.req.header('content-type'))) {
      return problemResponse(c, 'unsupported_media_type', 'Send the body as application/json.');
    }
    if (!result.success) {
      return problemResponse(c, 'validation_failed', 'Some fields are not valid.', fieldIssuesOf(result.error));
    }
  });
}

export function validParams<T extends z.ZodMiniType>(schema: T) {
  return zValidator('param', schema, (result, c) => {
    if (!result.success) {
      return problemResponse(c, 'not_found', 'No such resource.');
    }
  });
}
