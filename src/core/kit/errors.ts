// The stable, machine-readable error codes of Latchkey. Clients branch on `code`; only the HTTP
// edge (src/web/problem.ts) maps a code to a status and an RFC 9457 problem document.

export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'invalid_token'
  | 'invalid_credentials'
  | 'unauthorized'
  | 'email_not_verified'
  /** The password was right; the sign-in needs a second factor (POST /auth/mfa/verify). */
  | 'mfa_required'
  /** A wrong TOTP or recovery code. */
  | 'invalid_code'
  /** A change to the account's factors or address needs a code too, since two-step sign-in is on. */
  | 'second_factor_required'
  /** The admin API disabled the account; told only to someone who gave the right password. */
  | 'account_disabled'
  | 'forbidden'
  | 'token_expired'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'method_not_allowed'
  | 'internal'
  /** A passkey ceremony failed a WebAuthn check; the field issue names the check (types.ts). */
  | 'passkey_refused'
  /** A dependency (D1, KV) is briefly down: answered 503 with Retry-After, never 500. */
  | 'unavailable';

export interface FieldIssue {
  field: string;
  message: string;
}

/** An expected failure of an account flow, answered to the client with its code and detail. */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly fieldIssues: FieldIssue[] = [],
    options?: { cause?: unknown; retryAfterSeconds?: number; extensions?: Record<string, unknown> },
  ) {
    super(detail, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.extensions = options?.extensions;
  }

  /** RFC 9457 extension members the problem document carries (e.g. `mfaToken`). */
  readonly extensions: Record<string, unknown> | undefined;

  /** For `rate_limited` and `unavailable`: when the client may try again. */
  readonly retryAfterSeconds: number | undefined;
}
