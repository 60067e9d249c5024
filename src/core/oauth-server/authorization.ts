// The authorization endpoint's rules (OpenID Connect Core 3.1.2, RFC 9700). The client and its
// redirect URI are checked first and exactly: while either is wrong nothing is redirected, since
// an unchecked redirect would hand codes or errors to whoever wrote the link. After that, errors
// go back to the client. Only the code flow, with PKCE S256 (required of public clients).
import type { User } from '../accounts/users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishStoredEvent } from '../events/dispatch';
import type { Clock } from '../kit/clock';
import { digestToken, generateToken } from '../kit/random-token';
import type { Session } from '../sessions/sessions';
import type { OAuthClient, OAuthClientStore } from './oauth-client-store';
import { CODE_MEMORY_MS, type OAuthGrantStore } from './oauth-grant-store';

/** What Latchkey can release; other requested scopes are ignored (OIDC Core 5.4). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export const CODE_TTL_MS = 60_000;

export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'login_required'
  | 'consent_required'
  | 'access_denied'
  | 'request_not_supported'
  | 'request_uri_not_supported';

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | undefined;
  nonce: string | undefined;
  scopes: string[];
  codeChallenge: string | undefined;
  prompt: Set<string>;
  maxAgeSeconds: number | undefined;
  loginHint: string | undefined;
  /** Set by Latchkey itself when it sent the person to sign in again (prompt=login): a session must be newer. */
  signedInAfter: number | undefined;
}

export type CheckedAuthorization =
  /** Nothing may be redirected: the person sees an error page. */
  | { status: 'refused'; detail: string }
  /** The client is known and the redirect URI registered: the error goes back to it. */
  | {
      status: 'error';
      redirectUri: string;
      state: string | undefined;
      error: AuthorizationErrorCode;
      description: string;
    }
  | { status: 'valid'; request: AuthorizationRequest };

export type AuthorizationParams = Record<string, string | undefined>;

const MAX_PARAM_LENGTH = 2048;
const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

export async function checkAuthorizationRequest(
  services: { oauthClients: OAuthClientStore },
  params: AuthorizationParams,
): Promise<CheckedAuthorization> {
  const clientId = params.client_id;
  if (!clientId || clientId.length > 256) return { status: 'refused', detail: 'The request names no client.' };
  const client = await services.oauthClients.find(clientId);
  if (!client) return { status: 'refused', detail: 'The app that sent you here is not registered.' };
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return { status: 'refused', detail: 'The app that sent you here gave a return address it has not registered.' };
  }
  const state = params.state;
  const fail = (error: AuthorizationErrorCode, description: string): CheckedAuthorization => ({
    status: 'error',
    redirectUri,
    state,
    error,
    description,
  });
  if (Object.values(params).some((value) => (value?.length ?? 0) > MAX_PARAM_LENGTH)) {
    return fail('invalid_request', 'A parameter is too long.');
  }
  if (params.request !== undefined) return fail('request_not_supported', 'Request objects are not supported.');
  if (params.request_uri !== undefined) return fail('request_uri_not_supported', 'request_uri is not supported.');
  if (!params.response_type) return fail('invalid_request', 'response_type is required.');
  if (params.response_type !== 'code') {
    return fail('unsupported_response_type', 'Only response_type=code is supported.');
  }
  if (params.response_mode !== undefined && params.response_mode !== 'query') {
    return fail('invalid_request', 'Only response_mode=query is supported.');
  }
  const requested = (params.scope ?? '').split(' ').filter(Boolean);
  if (!requested.includes('openid')) return fail('invalid_scope', 'The scope must include openid.');
  const scopes = SUPPORTED_SCOPES.filter((scope) => requested.includes(scope));

  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (challenge === undefined) {
    if (client.public) return fail('invalid_request', 'A public client must send a PKCE code_challenge (S256).');
    if (method !== undefined) return fail('invalid_request', 'code_challenge_method without code_challenge.');
  } else {
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
    if (!PKCE_CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge is not valid.');
  }

  const prompt = new Set((params.prompt ?? '').split(' ').filter(Boolean));
  if (prompt.has('none') && prompt.size > 1) return fail('invalid_request', 'prompt=none cannot be combined.');
  let maxAgeSeconds: number | undefined;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) return fail('invalid_request', 'max_age must be a number of seconds.');
    maxAgeSeconds = Number(params.max_age);
  }
  const signedInAfter = /^\d{1,15}$/.test(params.signed_in_after ?? '') ? Number(params.signed_in_after) : undefined;
  return {
    status: 'valid',
    request: {
      client,
      redirectUri,
      state,
      nonce: params.nonce,
      scopes,
      codeChallenge: challenge,
      prompt,
      maxAgeSeconds,
      loginHint: params.login_hint,
      signedInAfter,
    },
  };
}

/** Whether the person must sign in (again) before this request can be answered. */
export function needsSignIn(request: AuthorizationRequest, session: Session | null, now: number): boolean {
  if (!session) return true;
  // Latchkey's own mark on the return trip of prompt=login: the new sign-in settles it.
  if (request.signedInAfter !== undefined) return session.createdAt < request.signedInAfter;
  if (request.prompt.has('login')) return true;
  return request.maxAgeSeconds !== undefined && now - session.createdAt > request.maxAgeSeconds * 1000;
}

/** Whether the person must be asked: a third-party client without a consent covering these scopes. */
export async function needsConsent(
  services: { oauthGrants: OAuthGrantStore },
  request: AuthorizationRequest,
  userId: string,
): Promise<boolean> {
  // prompt=consent asks even for a first-party client (OpenID Connect Core 3.1.2.1).
  if (request.prompt.has('consent')) return true;
  if (request.client.firstParty) return false;
  const consent = await services.oauthGrants.findConsent(userId, request.client.id);
  return !consent || request.scopes.some((scope) => !consent.scopes.includes(scope));
}

/**
 * Remembers what the person allowed this client (first-party clients too, so /account lists
 * them), and records consent.granted, only when the client gets a scope it did not have.
 */
export async function recordConsent(
  services: { oauthGrants: OAuthGrantStore } & EventServices,
  request: AuthorizationRequest,
  user: User,
): Promise<void> {
  const existing = await services.oauthGrants.findConsent(user.id, request.client.id);
  const scopes = [...new Set([...(existing?.scopes ?? []), ...request.scopes])];
  if (existing && scopes.length === existing.scopes.length) return;
  const now = services.clock.now();
  const event = newEvent('consent.granted', user, now, {
    clientId: request.client.id,
    clientName: request.client.name,
    scopes: scopes.join(' '),
  });
  const stored = await services.oauthGrants.saveConsent(
    { userId: user.id, clientId: request.client.id, scopes, grantedAt: now },
    event,
  );
  publishStoredEvent(services, stored);
}

/** A single-use code for the signed-in person, valid 60 seconds, bound to client, redirect URI and challenge. */
export async function issueAuthorizationCode(
  services: { oauthGrants: OAuthGrantStore; clock: Clock },
  request: AuthorizationRequest,
  session: Session,
): Promise<string> {
  const code = generateToken();
  const now = services.clock.now();
  await services.oauthGrants.saveCode(
    {
      digest: await digestToken(code),
      clientId: request.client.id,
      userId: session.userId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge ?? null,
      scopes: request.scopes,
      nonce: request.nonce ?? null,
      authTime: session.createdAt,
      amr: session.amr,
      credentialVersion: session.credentialVersion,
      expiresAt: now + CODE_TTL_MS,
    },
    now - CODE_MEMORY_MS,
  );
  return code;
}

/** The redirect back to the client: the answer's parameters, `state` and `iss` (RFC 9207). */
export function clientRedirect(
  redirectUri: string,
  issuer: string,
  state: string | undefined,
  answer: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(answer)) url.searchParams.set(name, value);
  if (state !== undefined) url.searchParams.set('state', state);
  url.searchParams.set('iss', issuer);
  return url.toString();
}
