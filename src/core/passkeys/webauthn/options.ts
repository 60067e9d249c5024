// Options for the two ceremonies, in the WebAuthn Level 3 JSON forms a browser helper parses.
// Passkeys only: a discoverable (resident) credential with user verification, so sign-in needs no
// username and the passkey alone is multi-factor. Attestation is not requested: Latchkey does not
// restrict authenticator models, and asking would only add a privacy prompt.
import { bytesToBase64Url, randomBytes } from '../../kit/encoding';
import {
  type CoseAlgorithm,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialDescriptorJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  supportedAlgorithms,
} from './types';

/** How long the browser may wait for the user; the issued challenge lives exactly as long. */
export const ceremonyTimeoutMs = 5 * 60 * 1000;

/** A fresh 32-byte challenge, base64url: single use, stored server-side until the ceremony ends. */
export function generateChallenge(): string {
  return bytesToBase64Url(randomBytes(32));
}

/**
 * A new WebAuthn user handle: 32 random bytes, base64url. Never derived from the email or user id,
 * because authenticators may show or sync it (WebAuthn §14.6.1). Make one per user, once, and keep it.
 */
export function generateUserHandle(): string {
  return bytesToBase64Url(randomBytes(32));
}

export interface CreationOptionsInput {
  rp: { id: string; name: string };
  /** `handle` is the user's WebAuthn user handle (see generateUserHandle). */
  user: { handle: string; name: string; displayName: string };
  challenge: string;
  /** The user's existing passkeys, so the same authenticator is not registered twice. */
  excludeCredentials: { id: string; transports?: string[] | null }[];
  algorithms?: readonly CoseAlgorithm[];
  timeoutMs?: number;
}

export function buildCreationOptions(input: CreationOptionsInput): PublicKeyCredentialCreationOptionsJSON {
  return {
    rp: { id: input.rp.id, name: input.rp.name },
    user: { id: input.user.handle, name: input.user.name, displayName: input.user.displayName },
    challenge: input.challenge,
    pubKeyCredParams: (input.algorithms ?? supportedAlgorithms).map((alg) => ({ type: 'public-key', alg })),
    timeout: input.timeoutMs ?? ceremonyTimeoutMs,
    excludeCredentials: input.excludeCredentials.map(describeCredential),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    attestation: 'none',
  };
}

export interface RequestOptionsInput {
  rpId: string;
  challenge: string;
  timeoutMs?: number;
}

/**
 * Usernameless sign-in: no allowCredentials, so the browser offers every passkey for this RP ID.
 * Re-authentication of a signed-in user lists that user's passkeys instead.
 */
export function buildRequestOptions(
  input: RequestOptionsInput & { allowCredentials?: { id: string; transports?: string[] | null }[] },
): PublicKeyCredentialRequestOptionsJSON {
  return {
    challenge: input.challenge,
    timeout: input.timeoutMs ?? ceremonyTimeoutMs,
    rpId: input.rpId,
    allowCredentials: (input.allowCredentials ?? []).map(describeCredential),
    userVerification: 'required',
  };
}

function describeCredential(credential: {
  id: string;
  transports?: string[] | null;
}): PublicKeyCredentialDescriptorJSON {
  return credential.transports?.length
    ? { type: 'public-key', id: credential.id, transports: credential.transports }
    : { type: 'public-key', id: credential.id };
}
