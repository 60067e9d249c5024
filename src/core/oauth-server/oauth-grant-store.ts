// The port of what the OpenID Provider issues: authorization codes, grants (what one redeemed code
// started: its scopes, the sign-in it came from, the credential version it is bound to), their
// rotating refresh tokens, and the consents people gave third-party clients. Codes and tokens are
// stored as SHA-256 digests. Single use is decided by conditional writes here, never by a read
// before a write.
import type { OutboxEvent, StoredEvent } from '../events/catalogue';
import type { AuthenticationMethodReference } from '../sessions/sessions';

export interface AuthorizationCode {
  digest: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** The PKCE S256 challenge; null only for a confidential client that sent none. */
  codeChallenge: string | null;
  scopes: string[];
  nonce: string | null;
  /** When the person signed in (the session's start), for `auth_time`. */
  authTime: number;
  amr: AuthenticationMethodReference[];
  credentialVersion: number;
  expiresAt: number;
}

export interface OAuthGrant {
  id: string;
  clientId: string;
  userId: string;
  scopes: string[];
  authTime: number;
  amr: AuthenticationMethodReference[];
  credentialVersion: number;
  createdAt: number;
}

export interface OAuthRefreshToken {
  digest: string;
  grantId: string;
  createdAt: number;
  expiresAt: number;
  rotatedAt: number | null;
}

export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  grantedAt: number;
}

/** A stored code: once used, `grantId` names the grant its use started. */
export interface StoredAuthorizationCode extends AuthorizationCode {
  usedAt: number | null;
  grantId: string | null;
}

/**
 * How long a spent or expired code is remembered after its expiry, so a late replay still finds it
 * and revokes what it issued; older ones are deleted as new codes are saved.
 */
export const CODE_MEMORY_MS = 10 * 60 * 1000;

/** How long a rotated refresh token is remembered (to recognise reuse) before a rotation of its grant forgets it. */
export const ROTATED_OAUTH_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;

export interface OAuthGrantStore {
  /** Saves the code, and deletes a bounded number of codes that expired before `forgetBefore`. */
  saveCode(code: AuthorizationCode, forgetBefore: number): Promise<void>;
  findCode(digest: string): Promise<StoredAuthorizationCode | null>;
  /**
   * In one transaction, only if the code is unused and unexpired at `now`: marks it used by the
   * grant, stores the grant and its first refresh token. Of parallel calls exactly one redeems
   * (true); the others write nothing.
   */
  redeemCode(
    digest: string,
    issue: { grant: OAuthGrant; refreshToken: OAuthRefreshToken },
    now: number,
  ): Promise<boolean>;
  findRefreshToken(digest: string): Promise<{ token: OAuthRefreshToken; grant: OAuthGrant } | null>;
  /**
   * Only if the token is still unrotated: marks it rotated and stores its successor. Of parallel
   * calls exactly one rotates; false for the rest. Tokens of the grant rotated before
   * `forgetBefore` are deleted.
   */
  rotateRefreshToken(digest: string, successor: OAuthRefreshToken, now: number, forgetBefore: number): Promise<boolean>;
  findGrant(id: string): Promise<OAuthGrant | null>;
  /** Deletes the grant and its refresh tokens. */
  revokeGrant(id: string): Promise<void>;
  /** Saves the consent, and records `event` (consent.granted) in the same transaction. */
  saveConsent(consent: Consent, event?: OutboxEvent): Promise<StoredEvent | null>;
  findConsent(userId: string, clientId: string): Promise<Consent | null>;
  listConsents(userId: string): Promise<Consent[]>;
  /**
   * Deletes the consent and every grant of the person at that client, recording `event`
   * (consent.revoked) only if a consent was deleted; `revoked` false when there was none.
   */
  revokeConsent(
    userId: string,
    clientId: string,
    event?: OutboxEvent,
  ): Promise<{ revoked: boolean; stored: StoredEvent | null }>;
}
