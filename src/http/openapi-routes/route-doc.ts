// The shape of one route's entry in the OpenAPI route table.
import type * as z from 'zod';
import type { ErrorCode } from '../../core/kit/errors';

export interface ResponseDoc {
  description: string;
  /** A JSON body; omit for a response without one (204). */
  json?: z.ZodType;
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono syntax: `/me/sessions/:id` is documented as `/me/sessions/{id}`. */
  path: string;
  /** Other paths answered by the same handlers. */
  aliases?: string[];
  tag: string;
  summary: string;
  description?: string;
  /** Requires `Authorization: Bearer <access token>`; documents the 401 too. */
  auth?: boolean;
  /** Requires `Authorization: Bearer <ADMIN_API_KEY>`; documents the 401, 404 and 429 too. */
  admin?: boolean;
  /** The zod schema of the query string, documented as query parameters. */
  query?: z.core.$ZodType;
  /** The zod schema the route's `jsonBody()` validates; documents 400/413/415 too. */
  body?: z.core.$ZodType;
  /** Success responses by status. */
  responses: Record<number, ResponseDoc>;
  /** Expected failures beyond those implied by auth and body, answered as problem+json. */
  problems?: ErrorCode[];
  /** Touches neither D1 nor KV, so a storage outage cannot make it answer 503 `unavailable`. */
  storageFree?: boolean;
}
