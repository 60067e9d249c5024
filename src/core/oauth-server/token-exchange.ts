// The token endpoint's grants. A code is redeemed once, by one conditional write: a second use of a
// code (a replay, or the loser of a race) is `invalid_grant` and revokes the grant the first use
// started (RFC 6749 section 4.1.2). Refresh tokens rotate on every use; presenting a rotated one is
// reuse and revokes the grant (RFC 9700 section 4.14.2). A grant lives while its account does:
// disabled, deleted, or past a password reset (credential version moved on), it issues nothing.
import type { User, UserRepository } from '../accounts/users';
import type { Clock } from '../kit/clock';
import { s256CodeChallenge } from '../kit/encoding';
import { digestToken, generateToken } from '../kit/random-token';
import type { AccountSettings } from '../services';
import { claimsByScope } from './id-token-claims';
import type { OAuthClient } from './oauth-client-store';
import {
  type OAuthGrant,
  type OAuthGrantStore,
  type OAuthRefreshToken,
  ROTATED_OAUTH_TOKEN_MEMORY_MS,
} from './oauth-grant-store';
import type { OpenIdKeys } from './signing-keys';

export interface TokenDeps {
  oauthGrants: OAuthGrantStore;
  users: UserRepository;
  clock: Clock;
  openIdKeys: OpenIdKeys;
  settings: Pick<AccountSettings, 'accessTokenTtlSeconds' | 'sessionTtlSeconds' | 'sessionMaxAgeSeconds'>;
  log(event: { event: string } & Record<string, unknown>): void;
}

export interface OAuthTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

export type TokenOutcome =
  | { ok: true; body: OAuthTokenResponse }
  | { ok: false; error: 'invalid_grant' | 'invalid_request'; description: string };

const refused = (description: string): TokenOutcome => ({ ok: false, error: 'invalid_grant', description });

/** The user behind a grant, if the account may still use it: present, enabled, same credential version. */
export async function liveAccount(
  services: Pick<TokenDeps, 'users'>,
  grant: Pick<OAuthGrant, 'userId' | 'credentialVersion'>,
): Promise<User | null> {
  const found = await services.users.findWithCredential({ id: grant.userId });
  if (!found || found.user.disabledAt !== null) return null;
  if (found.credential.credentialVersion !== grant.credentialVersion) return null;
  return found.user;
}

async function pkceMatches(challenge: string, verifier: string | undefined): Promise<boolean> {
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  return (await s256CodeChallenge(verifier)) === challenge;
}

function refreshExpiry(services: Pick<TokenDeps, 'settings'>, grant: OAuthGrant, now: number): number {
  return Math.min(
    now + services.settings.sessionTtlSeconds * 1000,
    grant.createdAt + services.settings.sessionMaxAgeSeconds * 1000,
  );
}

async function tokensFor(
  services: TokenDeps,
  input: { client: OAuthClient; grant: OAuthGrant; user: User; refreshToken: string; nonce: string | null },
  issuer: string,
): Promise<OAuthTokenResponse> {
  const { client, grant, user } = input;
  const now = Math.floor(services.clock.now() / 1000);
  const ttl = services.settings.accessTokenTtlSeconds;
  const accessToken = await services.openIdKeys.sign(
    {
      iss: issuer,
      sub: user.id,
      aud: client.id,
      client_id: client.id,
      scope: grant.scopes.join(' '),
      gid: grant.id,
      auth_time: Math.floor(grant.authTime / 1000),
      jti: generateToken(16),
      iat: now,
      exp: now + ttl,
    },
    { alg: 'ES256', typ: 'at+jwt' },
  );
  const body: OAuthTokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    refresh_token: input.refreshToken,
    scope: grant.scopes.join(' '),
  };
  if (grant.scopes.includes('openid')) {
    body.id_token = await services.openIdKeys.sign(
      {
        ...claimsByScope(user, grant.scopes),
        iss: issuer,
        aud: client.id,
        azp: client.id,
        iat: now,
        exp: now + ttl,
        auth_time: Math.floor(grant.authTime / 1000),
        ...(grant.amr.length ? { amr: grant.amr } : {}),
        ...(input.nonce ? { nonce: input.nonce } : {}),
      },
      { alg: client.idTokenSignedResponseAlg, typ: 'JWT' },
    );
  }
  return body;
}

export async function exchangeAuthorizationCode(
  services: TokenDeps,
  client: OAuthClient,
  input: { code: string | undefined; redirectUri: string | undefined; codeVerifier: string | undefined },
  issuer: string,
): Promise<TokenOutcome> {
  if (!input.code) return { ok: false, error: 'invalid_request', description: 'code is required.' };
  const now = services.clock.now();
  const digest = await digestToken(input.code);
  const code = await services.oauthGrants.findCode(digest);
  if (!code || code.clientId !== client.id) return refused('The code is not valid.');
  if (code.usedAt !== null) {
    if (code.grantId) await services.oauthGrants.revokeGrant(code.grantId);
    services.log({ event: 'oauth.code_replayed', clientId: client.id, userId: code.userId });
    return refused('The code has already been used; the tokens issued from it are revoked.');
  }
  if (code.expiresAt <= now) return refused('The code has expired.');
  if (code.redirectUri !== input.redirectUri) return refused('redirect_uri does not match the authorization request.');
  if (code.codeChallenge !== null && !(await pkceMatches(code.codeChallenge, input.codeVerifier))) {
    return refused('code_verifier does not match the code_challenge.');
  }
  if (code.codeChallenge === null && input.codeVerifier !== undefined) {
    return refused('code_verifier was sent for a code issued without PKCE.');
  }
  const user = await liveAccount(services, code);
  if (!user) return refused('The account can no longer sign in to this app.');

  const grant: OAuthGrant = {
    id: generateToken(18),
    clientId: client.id,
    userId: code.userId,
    scopes: code.scopes,
    authTime: code.authTime,
    amr: code.amr,
    credentialVersion: code.credentialVersion,
    createdAt: now,
  };
  const refreshToken = generateToken();
  const stored: OAuthRefreshToken = {
    digest: await digestToken(refreshToken),
    grantId: grant.id,
    createdAt: now,
    expiresAt: refreshExpiry(services, grant, now),
    rotatedAt: null,
  };
  if (!(await services.oauthGrants.redeemCode(digest, { grant, refreshToken: stored }, now))) {
    // Another request used the code a moment ago: that is a replay too.
    const winner = await services.oauthGrants.findCode(digest);
    if (winner?.grantId) await services.oauthGrants.revokeGrant(winner.grantId);
    services.log({ event: 'oauth.code_replayed', clientId: client.id, userId: code.userId });
    return refused('The code has already been used; the tokens issued from it are revoked.');
  }
  return {
    ok: true,
    body: await tokensFor(services, { client, grant, user, refreshToken, nonce: code.nonce }, issuer),
  };
}

export async function exchangeRefreshToken(
  services: TokenDeps,
  client: OAuthClient,
  presented: string | undefined,
  issuer: string,
): Promise<TokenOutcome> {
  if (!presented) return { ok: false, error: 'invalid_request', description: 'refresh_token is required.' };
  const now = services.clock.now();
  const digest = await digestToken(presented);
  const found = await services.oauthGrants.findRefreshToken(digest);
  if (!found || found.grant.clientId !== client.id) return refused('The refresh token is not valid.');
  const { token, grant } = found;
  if (token.rotatedAt !== null) {
    await services.oauthGrants.revokeGrant(grant.id);
    services.log({ event: 'oauth.refresh_reused', clientId: client.id, userId: grant.userId });
    return refused('The refresh token was already used; the grant is revoked.');
  }
  if (token.expiresAt <= now) return refused('The refresh token has expired.');
  const user = await liveAccount(services, grant);
  if (!user) {
    await services.oauthGrants.revokeGrant(grant.id);
    return refused('The account can no longer sign in to this app.');
  }
  const successor = generateToken();
  const rotated = await services.oauthGrants.rotateRefreshToken(
    digest,
    {
      digest: await digestToken(successor),
      grantId: grant.id,
      createdAt: now,
      expiresAt: refreshExpiry(services, grant, now),
      rotatedAt: null,
    },
    now,
    now - ROTATED_OAUTH_TOKEN_MEMORY_MS,
  );
  // A parallel request with the same token won; this one gets nothing (and revokes nothing).
  if (!rotated) return refused('The refresh token was used by another request.');
  return {
    ok: true,
    body: await tokensFor(services, { client, grant, user, refreshToken: successor, nonce: null }, issuer),
  };
}
