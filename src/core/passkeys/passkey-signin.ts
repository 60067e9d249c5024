// Usernameless sign-in with a passkey. A passkey with user verification is itself multi-factor
// (something you have, unlocked by something you know or are), so this path never asks for a
// second factor. It ends at the one door (sign-in.ts), so a passkey session is bound to the
// credential version and refused for a disabled account like any other.
import { AuthError } from '../kit/errors';
import { issueChallenge, verifyPasskeyAssertion } from './passkey-assertion';
import type { AccountServices } from '../services';
import type { TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn } from '../sessions/sign-in';
import { buildRequestOptions } from './webauthn/options';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './webauthn/types';

export type PasskeySignInDeps = Pick<AccountServices, 'passkeys' | 'relyingParty'> & SignInDeps;

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
  const { passkey, owner } = await verifyPasskeyAssertion(services, input, 'authentication');
  const { user } = owner;
  // A passkey with user verification (always required here) is itself two factors: something you
  // have, unlocked by something you know or are. So the door asks no code, whatever TOTP says.
  // No password was checked, so no password counter is cleared: a lock-out on password guessing
  // stays in force for the password.
  return finishSignIn(
    services,
    {
      method: 'passkey',
      user,
      credentialVersion: owner.credentialVersion,
      amr: [passkey.backupEligible ? 'swk' : 'hwk', 'user', 'mfa'],
      counterKeys: [],
      refused: () => new AuthError('invalid_credentials', 'This passkey is not registered here.'),
      logFields: { passkeyId: passkey.id },
    },
    input,
  );
}
