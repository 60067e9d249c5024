// RFC 9457 problem details: the one shape of every error Latchkey answers. Only this module maps
// error codes to HTTP statuses.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode, FieldIssue } from '../core/kit/errors';

export const problemCatalogue: Readonly<Record<ErrorCode, { status: ContentfulStatusCode; title: string }>> = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_token: { status: 400, title: 'The token is not valid' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  unauthorized: { status: 401, title: 'Authentication required' },
  email_not_verified: { status: 403, title: 'Email not verified' },
  mfa_required: { status: 403, title: 'A second factor is required' },
  invalid_code: { status: 401, title: 'The code is not valid' },
  second_factor_required: { status: 403, title: 'A code of the second factor is required' },
  account_disabled: { status: 403, title: 'Account disabled' },
  token_expired: { status: 403, title: 'The token has expired' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  passkey_refused: { status: 400, title: 'The passkey was refused' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

export function problemStatus(code: ErrorCode): ContentfulStatusCode {
  return problemCatalogue[code].status;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldIssue[];
  /** Extension members of `mfa_required`. */
  mfaToken?: string;
  methods?: Array<'totp' | 'recovery_code'>;
}

export function problemDocument(
  code: ErrorCode,
  detail: string,
  errors: FieldIssue[] = [],
  extensions: Record<string, unknown> = {},
): ProblemDocument {
  const { status, title } = problemCatalogue[code];
  return {
    // First, so that no extension member can replace a standard one.
    ...extensions,
    type: `urn:latchkey:problem:${code}`,
    title,
    status,
    detail,
    code,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

export function problemResponse(
  c: Context,
  code: ErrorCode,
  detail: string,
  errors: FieldIssue[] = [],
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  const body = problemDocument(code, detail, errors, extensions);
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    ...headers,
    'content-type': 'application/problem+json',
  });
}
