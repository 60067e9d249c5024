// Collected client data (WebAuthn §5.8.1): the browser, not the page, writes the origin and the
// challenge into it, which is what makes a passkey phishing-resistant. It is checked byte-exactly
// against what this relying party issued and serves, never normalised.
import { base64UrlToBytes, timingSafeEqual } from '../../kit/encoding';
import { type CeremonyExpectation, type Refused, refuse } from './types';

export type CeremonyType = 'webauthn.create' | 'webauthn.get';

/** Checks the client data of one ceremony; returns null when it passes. */
export function checkClientData(
  clientDataJSON: Uint8Array,
  type: CeremonyType,
  expected: CeremonyExpectation,
): Refused | null {
  let clientData: unknown;
  try {
    clientData = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(clientDataJSON));
  } catch {
    return refuse('malformed_response');
  }
  if (typeof clientData !== 'object' || clientData === null) return refuse('malformed_response');
  const { type: actualType, challenge, origin, crossOrigin } = clientData as Record<string, unknown>;
  if (actualType !== type) return refuse('wrong_ceremony_type');
  const received = typeof challenge === 'string' ? base64UrlToBytes(challenge) : null;
  const issued = base64UrlToBytes(expected.challenge);
  if (!received || !issued || !timingSafeEqual(received, issued)) return refuse('challenge_mismatch');
  // Latchkey's pages never run WebAuthn inside a cross-origin iframe, so such a ceremony is refused.
  if (typeof origin !== 'string' || !expected.origins.includes(origin) || crossOrigin === true) {
    return refuse('origin_not_allowed');
  }
  return null;
}
