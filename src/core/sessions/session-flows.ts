// Staying signed in and signing out: authenticating a request, refresh-token rotation with reuse
// detection, logout, and a user's own view of their sessions. Each flow takes only the services
// it uses. Ending a session is decided in D1; the revocation markers for other Workers follow.
import { AuthError } from '../kit/errors';
import { publishRevocation } from './revocations';
import type { AccountServices } from '../services';
import { type Session, type SessionLifetime, rotateRefreshToken } from './sessions';
import { type PublicUser, type User, toPublicUser } from '../accounts/users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: PublicUser;
}

export interface Authenticated {
  user: User;
  session: Session;
}

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string;
  current: boolean;
}

export type TokenIssueDeps = Pick<AccountServices, 'accessTokens' | 'clock' | 'settings'>;
export type RefreshDeps = TokenIssueDeps & Pick<AccountServices, 'sessions' | 'revocations' | 'log'>;
export type AuthenticateDeps = Pick<AccountServices, 'accessTokens' | 'sessions' | 'clock'>;
export type SessionEndDeps = EventServices & Pick<AccountServices, 'sessions' | 'clock' | 'revocations' | 'log'>;
export type ListSessionsDeps = Pick<AccountServices, 'sessions' | 'clock'>;

export function sessionLifetime(services: Pick<AccountServices, 'settings'>): SessionLifetime {
  return { ttlSeconds: services.settings.sessionTtlSeconds, maxAgeSeconds: services.settings.sessionMaxAgeSeconds };
}

export async function issueTokens(services: TokenIssueDeps, user: User, session: Session, refreshToken: string) {
  const accessToken = await services.accessTokens.issue(
    { userId: user.id, sessionId: session.id, amr: session.amr },
    services.clock.now(),
  );
  return {
    accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: services.settings.accessTokenTtlSeconds,
    refreshToken,
    user: toPublicUser(user),
  } satisfies TokenResponse;
}

export async function refresh(services: RefreshDeps, refreshToken: string): Promise<TokenResponse> {
  const now = services.clock.now();
  const outcome = await rotateRefreshToken(services.sessions, refreshToken, {
    now,
    lifetime: sessionLifetime(services),
    graceMs: services.settings.refreshGraceSeconds * 1000,
  });
  if (outcome.status === 'reused') {
    const { session } = outcome;
    services.log({ event: 'refresh.reused', userId: session.userId, sessionId: session.id });
    await publishRevocation(services, (publisher) => publisher.sessionEnded(session.id, now));
  }
  if (outcome.status !== 'rotated') throw new AuthError('invalid_token', 'This refresh token is not valid.');
  return issueTokens(services, outcome.user, outcome.session, outcome.refreshToken);
}

/** Resolves an access token to its live session and user, or throws `unauthorized`. */
export async function authenticate(services: AuthenticateDeps, accessToken: string): Promise<Authenticated> {
  const now = services.clock.now();
  const claims = await services.accessTokens.verify(accessToken, now);
  const active = claims && (await services.sessions.findActive(claims.sessionId, claims.userId, now));
  if (!active) throw new AuthError('unauthorized', 'A valid access token is required.');
  return active;
}

export async function logout(services: SessionEndDeps, auth: Authenticated): Promise<void> {
  const event = newEvent('session.revoked', auth.user, services.clock.now(), {
    sessionId: auth.session.id,
    by: 'logout',
  });
  if (await services.sessions.delete(auth.user.id, auth.session.id, event)) publishEvent(services, event);
  services.log({ event: 'logout', userId: auth.user.id, sessionId: auth.session.id });
  await publishRevocation(services, (publisher) => publisher.sessionEnded(auth.session.id, services.clock.now()));
}

export async function listSessions(services: ListSessionsDeps, auth: Authenticated): Promise<SessionSummary[]> {
  const listed = await services.sessions.listForUser(auth.user.id, services.clock.now());
  // The list may come from a read replica that has not yet seen a sign-in a moment ago; the
  // caller's own session was just confirmed, so it is always shown.
  const sessions = listed.some((session) => session.id === auth.session.id) ? listed : [auth.session, ...listed];
  return sessions.map((session) => ({
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    userAgent: session.userAgent,
    current: session.id === auth.session.id,
  }));
}

export async function revokeSession(services: SessionEndDeps, auth: Authenticated, sessionId: string): Promise<void> {
  const event = newEvent('session.revoked', auth.user, services.clock.now(), { sessionId, by: 'user' });
  if (!(await services.sessions.delete(auth.user.id, sessionId, event))) {
    throw new AuthError('not_found', 'You have no session with that id.');
  }
  publishEvent(services, event);
  services.log({ event: 'session.revoked', userId: auth.user.id, sessionId });
  await publishRevocation(services, (publisher) => publisher.sessionEnded(sessionId, services.clock.now()));
}

export async function logoutEverywhere(services: SessionEndDeps, auth: Authenticated): Promise<void> {
  const event = newEvent('session.revoked', auth.user, services.clock.now(), { all: true, by: 'logout' });
  await services.sessions.deleteAllForUser(auth.user.id, undefined, event);
  publishEvent(services, event);
  services.log({ event: 'logout.all', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
}
