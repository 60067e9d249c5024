// Sign-up that signs in, for EMAIL_VERIFICATION=optional: the account is created (the
// verification mail still goes out) and a session starts at once, with no second password check.
// The address stays unverified until the link is used, and forgot-password keeps mailing only
// verified addresses, so an account made with someone else's address cannot be used to mail them.
import { type RegisterDeps, type RegisterInput, createAccount } from './accounts';
import { AuthError } from './errors';
import type { AccountServices } from './services';
import { type TokenResponse, issueTokens, sessionLifetime } from './session-flows';
import { newSession } from './sessions';

export type SignUpDeps = RegisterDeps & Pick<AccountServices, 'logins' | 'accessTokens'>;

export async function registerAndSignIn(
  services: SignUpDeps,
  input: RegisterInput & { userAgent: string },
): Promise<TokenResponse> {
  const user = await createAccount(services, input);
  const { session, refreshToken, refreshDigest } = await newSession({
    userId: user.id,
    userAgent: input.userAgent,
    passwordVersion: 0,
    now: services.clock.now(),
    lifetime: sessionLifetime(services),
  });
  // Fails only if the account changed in the moment since it was made (deleted, say).
  if (!(await services.logins.completeLogin(session, refreshDigest, []))) {
    throw new AuthError('invalid_credentials', 'The account changed while it was being created. Sign in.');
  }
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id, via: 'register' });
  return issueTokens(services, user, session, refreshToken);
}
