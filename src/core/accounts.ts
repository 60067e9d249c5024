// The account flows: register, verify email, log in, refresh, log out, forgot and reset password,
// and authenticating a request. Plain functions over injected services, so every flow is
// testable without HTTP. Expected failures throw AuthError with a stable code.
import type { AccessTokenIssuer } from './access-tokens';
import type { Clock } from './clock';
import { type EmailTokenStore, issueEmailToken, lookUpEmailToken } from './email-tokens';
import { AuthError } from './errors';
import { type MailContext, type Mailer, passwordResetMessage, verificationMessage } from './mail';
import { hashPassword, passwordHashNeedsUpgrade, verifyAgainstDummyHash, verifyPassword } from './password';
import {
  type SessionRecord,
  type SessionStore,
  createSession,
  isSessionLive,
  parseRefreshToken,
  refreshSecretMatches,
  rotateSession,
} from './sessions';
import { type PublicUser, type User, type UserRepository, normalizeEmail, normalizeUsername, toPublicUser } from './users';

export interface AccountSettings {
  sessionTtlSeconds: number;
  accessTokenTtlSeconds: number;
  emailTokenTtlSeconds: number;
  mail: MailContext;
}

export interface AccountServices {
  users: UserRepository;
  sessions: SessionStore;
  emailTokens: EmailTokenStore;
  accessTokens: AccessTokenIssuer;
  mailer: Mailer;
  clock: Clock;
  settings: AccountSettings;
  /** Runs work after the response (waitUntil), so answers never wait for or reveal mail. */
  defer(task: () => Promise<void>): void;
  log(event: Record<string, unknown>): void;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: PublicUser;
}

export interface Authenticated {
  user: User;
  session: SessionRecord;
}

const invalidCredentials = () => new AuthError('invalid_credentials', 'The identifier or password is incorrect.');
const unauthorized = () => new AuthError('unauthorized', 'A valid access token is required.');

function sendLater(services: AccountServices, build: () => Promise<Parameters<Mailer['send']>[0]>, kind: string) {
  services.defer(async () => {
    try {
      await services.mailer.send(await build());
    } catch (error) {
      // The provider's answer may echo the message; log only what kind of mail failed.
      services.log({ event: 'mail.failed', kind, error: error instanceof Error ? error.name : 'unknown' });
    }
  });
}

function sendVerificationMail(services: AccountServices, user: User): void {
  const { clock, settings } = services;
  sendLater(
    services,
    async () => {
      const token = await issueEmailToken(
        services.emailTokens,
        { purpose: 'verify_email', userId: user.id, email: user.email },
        clock.now(),
        settings.emailTokenTtlSeconds,
      );
      return verificationMessage(user.email, user.username, token, settings.mail);
    },
    'verify_email',
  );
}

export async function register(
  services: AccountServices,
  input: { username: string; email: string; password: string; displayName?: string | undefined },
): Promise<PublicUser> {
  const now = services.clock.now();
  const result = await services.users.create({
    id: crypto.randomUUID(),
    username: normalizeUsername(input.username),
    email: normalizeEmail(input.email),
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName?.trim() || null,
    now,
  });
  if (!result.ok) {
    const field = result.conflict;
    throw new AuthError('conflict', `That ${field} is already registered.`, [
      { field, message: `This ${field} is already registered.` },
    ]);
  }
  services.log({ event: 'user.registered', userId: result.user.id });
  sendVerificationMail(services, result.user);
  return toPublicUser(result.user);
}

export async function verifyEmail(services: AccountServices, token: string): Promise<PublicUser> {
  const now = services.clock.now();
  const found = await lookUpEmailToken(services.emailTokens, 'verify_email', token, now);
  if (found.status === 'expired') throw new AuthError('token_expired', 'This verification link has expired.');
  if (found.status === 'invalid') throw new AuthError('invalid_token', 'This verification link is not valid.');
  // The conditional update is what makes the token single-use; the KV delete is tidying up.
  const marked = await services.users.markEmailVerified(found.record.userId, found.record.email, now);
  await services.emailTokens.delete('verify_email', found.digest);
  if (!marked) throw new AuthError('invalid_token', 'This verification link has already been used.');
  const user = await services.users.findById(found.record.userId);
  if (!user) throw new AuthError('invalid_token', 'This verification link is not valid.');
  services.log({ event: 'email.verified', userId: user.id });
  return toPublicUser(user);
}

export async function resendVerification(services: AccountServices, email: string): Promise<void> {
  const user = await services.users.findByEmail(normalizeEmail(email));
  if (user && user.emailVerifiedAt === null) sendVerificationMail(services, user);
}

async function issueTokens(services: AccountServices, user: User, session: SessionRecord, refreshToken: string) {
  await services.sessions.put(session);
  const accessToken = await services.accessTokens.issue(
    { userId: user.id, sessionId: session.id },
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

function findForLogin(users: UserRepository, identifier: string) {
  // Usernames cannot contain '@', so an identifier names a username or an email, never both.
  return users.findWithCredential(
    identifier.includes('@') ? { email: normalizeEmail(identifier) } : { username: normalizeUsername(identifier) },
  );
}

export async function login(
  services: AccountServices,
  input: { identifier: string; password: string },
): Promise<TokenResponse> {
  const found = await findForLogin(services.users, input.identifier);
  if (!found) {
    await verifyAgainstDummyHash(input.password);
    services.log({ event: 'login.failed', reason: 'unknown_identifier' });
    throw invalidCredentials();
  }
  const { user, credential } = found;
  if (!(await verifyPassword(input.password, credential.passwordHash))) {
    services.log({ event: 'login.failed', userId: user.id, reason: 'wrong_password' });
    throw invalidCredentials();
  }
  // Checked only after the password, so this answer tells nothing to someone without it.
  if (user.emailVerifiedAt === null) {
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  if (passwordHashNeedsUpgrade(credential.passwordHash)) {
    const upgraded = await hashPassword(input.password);
    services.defer(() => services.users.upgradePasswordHash(user.id, credential.passwordHash, upgraded));
  }
  const now = services.clock.now();
  const { session, refreshToken } = await createSession(user.id, user.sessionEpoch, now, services.settings.sessionTtlSeconds);
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id });
  return issueTokens(services, user, session, refreshToken);
}

export async function refresh(services: AccountServices, refreshToken: string): Promise<TokenResponse> {
  const invalid = () => new AuthError('invalid_token', 'This refresh token is not valid.');
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw invalid();
  const session = await services.sessions.get(parsed.sessionId);
  if (!session || !(await refreshSecretMatches(session, parsed.secret))) throw invalid();
  const user = await services.users.findById(session.userId);
  const now = services.clock.now();
  if (!user || !isSessionLive(session, user.sessionEpoch, now)) throw invalid();
  const rotated = await rotateSession(session, now, services.settings.sessionTtlSeconds);
  return issueTokens(services, user, rotated.session, rotated.refreshToken);
}

/** Resolves a Bearer access token to its live session and user, or throws `unauthorized`. */
export async function authenticate(services: AccountServices, accessToken: string): Promise<Authenticated> {
  const now = services.clock.now();
  const claims = await services.accessTokens.verify(accessToken, now);
  if (!claims) throw unauthorized();
  const [session, user] = await Promise.all([
    services.sessions.get(claims.sessionId),
    services.users.findById(claims.userId),
  ]);
  if (!session || !user || session.userId !== user.id || !isSessionLive(session, user.sessionEpoch, now)) {
    throw unauthorized();
  }
  return { user, session };
}

export async function logout(services: AccountServices, auth: Authenticated): Promise<void> {
  await services.sessions.delete(auth.session.id);
  services.log({ event: 'logout', userId: auth.user.id, sessionId: auth.session.id });
}

export async function forgotPassword(services: AccountServices, email: string): Promise<void> {
  const found = await services.users.findWithCredential({ email: normalizeEmail(email) });
  if (!found) return;
  const { user, credential } = found;
  const { clock, settings } = services;
  sendLater(
    services,
    async () => {
      const token = await issueEmailToken(
        services.emailTokens,
        { purpose: 'reset_password', userId: user.id, email: user.email, passwordVersion: credential.passwordVersion },
        clock.now(),
        settings.emailTokenTtlSeconds,
      );
      return passwordResetMessage(user.email, user.username, token, settings.mail);
    },
    'reset_password',
  );
}

export async function resetPassword(services: AccountServices, input: { token: string; password: string }): Promise<void> {
  const now = services.clock.now();
  const found = await lookUpEmailToken(services.emailTokens, 'reset_password', input.token, now);
  if (found.status === 'expired') throw new AuthError('token_expired', 'This reset link has expired.');
  if (found.status === 'invalid' || found.record.passwordVersion === undefined) {
    throw new AuthError('invalid_token', 'This reset link is not valid.');
  }
  const passwordHash = await hashPassword(input.password);
  const replaced = await services.users.replacePassword(found.record.userId, found.record.passwordVersion, passwordHash, now);
  await services.emailTokens.delete('reset_password', found.digest);
  if (!replaced) throw new AuthError('invalid_token', 'This reset link has already been used.');
  services.log({ event: 'password.reset', userId: found.record.userId });
}
