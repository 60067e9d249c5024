// Usernameless sign-in with a passkey. A passkey with user verification is itself multi-factor
// (something you have, unlocked by something you know or are), so this path never asks for a
// second factor. It starts the session with the login's own code (newSession, completeLogin,
// issueTokens), so a passkey session is bound to the password version like any other.
import { AuthError } from './errors';
import { issueChallenge, passkeyRefused } from './passkeys';
import type { AccountServices } from './services';
import { type TokenResponse, issueTokens, sessionLifetime } from './session-flows';
import { newSession } from './sessions';
import { buildRequestOptions } from './webauthn/options';
import { verifyAuthentication } from './webauthn/authentication';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './webauthn/types';

export type PasskeySignInDeps = Pick<
  AccountServices,
  'passkeys' | 'relyingParty' | 'logins' | 'accessTokens' | 'clock' | 'settings' | 'log'
>;

export async function startPasskeySignIn(
  services: Pick<AccountServices, 'passkeys' | 'relyingParty' | 'clock'>,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { challengeId, challenge } = await issueChallenge(services, 'authentication', null);
  return { challengeId, options: buildRequestOptions({ rpId: services.relyingParty.id, challenge }) };
}

export async function finishPasskeySignIn(
  services: PasskeySignInDeps,
  input: { challengeId: string; credential: AuthenticationResponseJSON; userAgent: string },
): Promise<TokenResponse> {
  const now = services.clock.now();
  const ceremony = 'authentication';
  // Taken before verifying, by one conditional delete: of two requests with it, one goes on.
  const issued = await services.passkeys.takeChallenge(input.challengeId, ceremony, now);
  if (!issued) throw passkeyRefused(services, 'challenge_invalid', { ceremony });
  const found = await services.passkeys.findByCredentialId(input.credential.rawId);
  if (!found) {
    services.log({ event: 'passkey.refused', reason: 'unknown_credential', ceremony });
    throw new AuthError('invalid_credentials', 'This passkey is not registered here.');
  }
  const { passkey, owner } = found;
  const { user } = owner;
  const result = await verifyAuthentication(
    input.credential,
    { ...passkey, id: passkey.credentialId },
    {
      challenge: issued.challenge,
      origins: services.relyingParty.origins,
      rpId: services.relyingParty.id,
    },
  );
  if (!result.ok) {
    if (result.reason === 'counter_not_increased') {
      services.log({
        event: 'passkey.possible_clone',
        userId: user.id,
        passkeyId: passkey.id,
        storedSignCount: passkey.signCount,
      });
    }
    throw passkeyRefused(services, result.reason, { userId: user.id, passkeyId: passkey.id, ceremony });
  }
  // After the signature, like the login's check after the password: it tells nothing to others.
  if (user.disabledAt !== null) {
    services.log({ event: 'passkey.refused', userId: user.id, reason: 'account_disabled' });
    throw new AuthError('account_disabled', 'This account has been disabled.');
  }
  if (user.emailVerifiedAt === null && services.settings.emailVerification === 'required') {
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  const moved = await services.passkeys.recordUse({
    id: passkey.id,
    seenSignCount: passkey.signCount,
    signCount: result.signCount,
    backedUp: result.backedUp,
    now,
  });
  if (!moved) throw passkeyRefused(services, 'counter_not_increased', { userId: user.id, passkeyId: passkey.id });

  const { session, refreshToken, refreshDigest } = await newSession({
    userId: user.id,
    userAgent: input.userAgent,
    passwordVersion: owner.passwordVersion,
    now,
    lifetime: sessionLifetime(services),
  });
  // No password was checked, so no password counter is cleared: a lock-out on password guessing
  // stays in force for the password.
  if (!(await services.logins.completeLogin(session, refreshDigest, []))) {
    services.log({ event: 'passkey.refused', reason: 'account_changed', userId: user.id, ceremony });
    throw new AuthError('invalid_credentials', 'This passkey is not registered here.');
  }
  services.log({ event: 'passkey.signed_in', userId: user.id, passkeyId: passkey.id, sessionId: session.id });
  return issueTokens(services, user, session, refreshToken);
}
