// Reading a credential's JSON as a client sent it: nothing in it is trusted to have the declared
// shape, so each ceremony starts by checking the envelope and decodes each binary field itself.
import { base64UrlToBytes } from '../../kit/encoding';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './types';

/**
 * The credential's `response` object, or null unless the credential is a public-key credential
 * whose `id` and `rawId` agree (WebAuthn §5.1: `id` is the base64url of `rawId`).
 */
export function responseOf<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(
  credential: T,
): T['response'] | null {
  const response = credential?.response;
  if (
    credential?.type !== 'public-key' ||
    credential.id !== credential.rawId ||
    !response ||
    typeof response !== 'object'
  ) {
    return null;
  }
  return response;
}

/** The bytes of a base64url field, or null when it is missing or not base64url. */
export function decodeField(value: unknown): Uint8Array | null {
  return typeof value === 'string' ? base64UrlToBytes(value) : null;
}
