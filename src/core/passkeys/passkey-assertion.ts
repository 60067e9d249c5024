// Passkey challenges and assertions: a challenge is stored for one ceremony (bound to the user it
// was issued to, except for a usernameless sign-in) and taken by one conditional delete before the
// response is checked; an assertion is verified against the stored public key, and its signature
// counter moves by a compare-and-set. Shared by sign-in (passkey-signin.ts), registration
// (passkeys.ts) and re-authentication before a sensitive change (reauthentication.ts).
import { AuthError } from '../kit/errors';
import type { Ceremony, Passkey, PasskeyOwner } from './passkey-store';
import { generateToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import { verifyAuthentication } from './webauthn/authentication';
import { ceremonyTimeoutMs, generateChallenge } from './webauthn/options';
import type { AuthenticationResponseJSON, WebAuthnRefusal } from './webauthn/types';

export type PasskeyAssertionDeps = Pick<AccountServices, 'passkeys' | 'relyingParty' | 'clock' | 'log'>;

/** A WebAuthn assertion answering the challenge `challengeId`. */
export interface PasskeyAssertion {
  challengeId: string;
  credential: AuthenticationResponseJSON;
}

/** The refusal of a failed WebAuthn check, logged as `passkey.refused` with the check's code. */
export function passkeyRefused(
  services: Pick<AccountServices, 'log'>,
  reason: WebAuthnRefusal | 'challenge_invalid' | 'credential_already_registered',
  context: Record<string, unknown> = {},
): AuthError {
  services.log({ event: 'passkey.refused', reason, ...context });
  const field = reason === 'challenge_invalid' ? 'challengeId' : 'credential';
  const detail =
    reason === 'challenge_invalid'
      ? 'This challenge is unknown, used or expired. Ask for new options and try again.'
      : 'The passkey response did not pass verification.';
  return new AuthError('passkey_refused', detail, [{ field, message: reason }]);
}

/**
 * Stores a new single-use challenge for a ceremony, valid for the ceremony's timeout. A
 * registration's is tied to its user and user handle, a re-authentication's to its user, a
 * usernameless sign-in's to no one.
 */
export async function issueChallenge(
  services: Pick<AccountServices, 'passkeys' | 'clock'>,
  ceremony: Ceremony,
  owner: { userId: string; userHandle: string | null } | null,
): Promise<{ challengeId: string; challenge: string }> {
  const now = services.clock.now();
  const challengeId = generateToken(18);
  const challenge = generateChallenge();
  await services.passkeys.saveChallenge({
    id: challengeId,
    challenge,
    ceremony,
    userId: owner?.userId ?? null,
    userHandle: owner?.userHandle ?? null,
    createdAt: now,
    expiresAt: now + ceremonyTimeoutMs,
  });
  return { challengeId, challenge };
}

/**
 * Verifies an assertion for `ceremony`: takes the challenge (issued to `userId` when given, and
 * then only that user's passkeys answer it), checks the response against the stored key and moves
 * the counter. The passkey and its owner, or a refusal.
 */
export async function verifyPasskeyAssertion(
  services: PasskeyAssertionDeps,
  input: PasskeyAssertion,
  ceremony: Ceremony,
  userId?: string,
): Promise<{ passkey: Passkey; owner: PasskeyOwner }> {
  const now = services.clock.now();
  // Taken before verifying, by one conditional delete: of two requests with it, one goes on.
  const issued = await services.passkeys.takeChallenge(input.challengeId, ceremony, now, userId);
  if (!issued) throw passkeyRefused(services, 'challenge_invalid', { ceremony, userId });
  const found = await services.passkeys.findByCredentialId(input.credential.rawId);
  if (!found || (userId !== undefined && found.owner.user.id !== userId)) {
    services.log({ event: 'passkey.refused', reason: 'unknown_credential', ceremony, userId });
    throw new AuthError('invalid_credentials', 'This passkey is not registered here.');
  }
  const { passkey, owner } = found;
  const result = await verifyAuthentication(
    input.credential,
    { ...passkey, id: passkey.credentialId },
    { challenge: issued.challenge, origins: services.relyingParty.origins, rpId: services.relyingParty.id },
  );
  if (!result.ok) {
    if (result.reason === 'counter_not_increased') {
      services.log({
        event: 'passkey.possible_clone',
        userId: owner.user.id,
        passkeyId: passkey.id,
        storedSignCount: passkey.signCount,
      });
    }
    throw passkeyRefused(services, result.reason, { userId: owner.user.id, passkeyId: passkey.id, ceremony });
  }
  const moved = await services.passkeys.recordUse({
    id: passkey.id,
    seenSignCount: passkey.signCount,
    signCount: result.signCount,
    backedUp: result.backedUp,
    now,
  });
  if (!moved) {
    throw passkeyRefused(services, 'counter_not_increased', { userId: owner.user.id, passkeyId: passkey.id, ceremony });
  }
  return { passkey, owner };
}
