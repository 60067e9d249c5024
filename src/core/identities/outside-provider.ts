// An outside identity provider as the core sees it: where to send the browser, and what the
// callback proves. Its adapters (src/federation/) speak OpenID Connect or a provider's own API.

/** What a provider asserted about the person after a valid callback. */
export interface OutsideClaims {
  subject: string;
  /** Normalized (trimmed, lowercased); null when the provider shared none. */
  email: string | null;
  /** True only when the provider says it verified the address. */
  emailVerified: boolean;
  preferredUsername: string | null;
  name: string | null;
}

export interface AuthorizationRequest {
  state: string;
  nonce: string;
  /** S256 of the PKCE verifier. */
  codeChallenge: string;
  redirectUri: string;
}

/**
 * Why a callback proved nothing: the person or provider refused (`access_denied`), a response that
 * failed validation (`invalid_response`), or the provider could not be reached (`unreachable`).
 */
export type OutsideProviderFailure = 'access_denied' | 'invalid_response' | 'unreachable';

export type OutsideCallbackResult = { ok: true; claims: OutsideClaims } | { ok: false; reason: OutsideProviderFailure };

export interface OutsideProvider {
  id: string;
  /** Shown on the buttons: "Continue with {name}". */
  name: string;
  /** The provider's authorization URL for this request; throws `unavailable` when unreachable. */
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /** Checks the callback's parameters, exchanges the code and reads the person's claims. */
  complete(input: {
    callback: URLSearchParams;
    state: string;
    nonce: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<OutsideCallbackResult>;
}

export interface OutsideProviders {
  list(): { id: string; name: string }[];
  find(id: string): OutsideProvider | null;
}

export const noOutsideProviders: OutsideProviders = { list: () => [], find: () => null };
