// What a provider's failure means to the person: they (or the provider) refused, the answer did
// not pass the checks, or the provider could not be reached. Only the class is logged by callers:
// provider error messages may carry codes and tokens.
import * as oauth from 'oauth4webapi';
import { AuthError } from '../core/kit/errors';
import type { OutsideCallbackResult } from '../core/identities/outside-provider';

export interface ProviderFailureOptions {
  provider: string;
}

export function unreachable(name: string, cause: unknown): AuthError {
  return new AuthError('unavailable', `${name} cannot be reached right now. Try again in a moment.`, [], {
    cause,
    retryAfterSeconds: 30,
  });
}

export function failureOf(error: unknown, _options: ProviderFailureOptions): OutsideCallbackResult & { ok: false } {
  if (error instanceof oauth.AuthorizationResponseError) {
    return { ok: false, reason: error.error === 'access_denied' ? 'access_denied' : 'invalid_response' };
  }
  if (error instanceof oauth.ResponseBodyError) {
    return { ok: false, reason: error.status >= 500 ? 'unreachable' : 'invalid_response' };
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) return { ok: false, reason: 'invalid_response' };
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    // A 5xx answer that is not an OAuth error body is the provider's outage, not a bad answer.
    const cause = error.cause as { status?: unknown } | undefined;
    if (typeof cause?.status === 'number' && cause.status >= 500) return { ok: false, reason: 'unreachable' };
    return { ok: false, reason: 'invalid_response' };
  }
  if (error instanceof AuthError && error.code === 'unavailable') return { ok: false, reason: 'unreachable' };
  // fetch rejects with a TypeError when the provider cannot be reached at all.
  if (error instanceof TypeError) return { ok: false, reason: 'unreachable' };
  throw error;
}
