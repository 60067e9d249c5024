// Using and ending grants: UserInfo (OpenID Connect Core 5.3) answers for a live access token
// whose grant still exists and whose account may still sign in, so a revoked grant, a replayed
// code or a password reset stops it at once even though the JWT has not expired. Revocation
// (RFC 7009) ends the whole grant a token belongs to, and answers the same for unknown tokens.
import { digestToken } from '../kit/random-token';
import type { User } from '../accounts/users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishStoredEvent } from '../events/dispatch';
import type { AccountServices } from '../services';
import { claimsByScope } from './id-token-claims';
import type { OAuthClient, OAuthClientStore } from './oauth-client-store';
import type { OAuthGrantStore } from './oauth-grant-store';
import { type TokenDeps, liveAccount } from './token-exchange';

export type UserInfoDeps = Pick<TokenDeps, 'oauthGrants' | 'users' | 'clock' | 'openIdKeys'>;

/** The claims for an access token, or null when it is not (or no longer) valid. */
export async function userInfo(
  services: UserInfoDeps,
  accessToken: string,
  issuer: string,
): Promise<Record<string, unknown> | null> {
  const payload = await services.openIdKeys.verify(accessToken, {
    issuer,
    typ: 'at+jwt',
    now: services.clock.now(),
  });
  if (!payload || typeof payload.gid !== 'string' || typeof payload.sub !== 'string') return null;
  const grant = await services.oauthGrants.findGrant(payload.gid);
  if (!grant || grant.userId !== payload.sub) return null;
  const user = await liveAccount(services, grant);
  return user ? claimsByScope(user, grant.scopes) : null;
}

/** Ends the grant of a refresh or access token issued to this client; silent for anything else. */
export async function revokeToken(
  services: UserInfoDeps,
  client: OAuthClient,
  token: string,
  issuer: string,
): Promise<void> {
  if (/^[A-Za-z0-9_-]{43}$/.test(token)) {
    const found = await services.oauthGrants.findRefreshToken(await digestToken(token));
    if (found && found.grant.clientId === client.id) await services.oauthGrants.revokeGrant(found.grant.id);
    return;
  }
  const payload = await services.openIdKeys.verify(token, { issuer, typ: 'at+jwt', now: services.clock.now() });
  if (payload?.client_id === client.id && typeof payload.gid === 'string') {
    await services.oauthGrants.revokeGrant(payload.gid);
  }
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: string;
}

/** The apps a person allowed, for /account and the API. */
export async function listConnectedApps(
  services: { oauthGrants: OAuthGrantStore; oauthClients: OAuthClientStore },
  userId: string,
): Promise<ConnectedApp[]> {
  const consents = await services.oauthGrants.listConsents(userId);
  const apps: ConnectedApp[] = [];
  for (const consent of consents) {
    const client = await services.oauthClients.find(consent.clientId);
    if (!client) continue;
    apps.push({
      clientId: client.id,
      name: client.name,
      scopes: consent.scopes,
      grantedAt: new Date(consent.grantedAt).toISOString(),
    });
  }
  return apps;
}

/** Withdraws a consent: the app's refresh and access tokens for this person stop working. */
export async function disconnectApp(
  services: Pick<AccountServices, 'oauthGrants' | 'oauthClients' | 'log'> & EventServices,
  user: User,
  clientId: string,
): Promise<boolean> {
  const client = await services.oauthClients.find(clientId);
  const event = newEvent('consent.revoked', user, services.clock.now(), {
    clientId,
    ...(client ? { clientName: client.name } : {}),
  });
  const { revoked, stored } = await services.oauthGrants.revokeConsent(user.id, clientId, event);
  publishStoredEvent(services, stored);
  if (revoked) services.log({ event: 'consent.revoked', userId: user.id, clientId });
  return revoked;
}
