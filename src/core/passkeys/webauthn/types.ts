// The WebAuthn Level 3 JSON forms Latchkey speaks (the shapes `PublicKeyCredential.toJSON()` and
// `parseCreationOptionsFromJSON` use), the COSE algorithms it accepts, and its refusal codes.
// Binary fields are unpadded base64url strings throughout.

/** COSE algorithm identifiers (IANA): ES256 (ECDSA P-256 SHA-256), EdDSA (Ed25519), RS256. */
export type CoseAlgorithm = -7 | -8 | -257;

/** The algorithms Latchkey offers, in the order of preference sent to the browser. */
export const supportedAlgorithms: readonly CoseAlgorithm[] = [-7, -8, -257];

export interface PublicKeyCredentialDescriptorJSON {
  type: 'public-key';
  id: string;
  transports?: string[];
}

export interface PublicKeyCredentialCreationOptionsJSON {
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: 'public-key'; alg: CoseAlgorithm }[];
  timeout: number;
  excludeCredentials: PublicKeyCredentialDescriptorJSON[];
  authenticatorSelection: {
    residentKey: 'required';
    requireResidentKey: true;
    userVerification: 'required';
  };
  attestation: 'none';
}

export interface PublicKeyCredentialRequestOptionsJSON {
  challenge: string;
  timeout: number;
  rpId: string;
  allowCredentials: PublicKeyCredentialDescriptorJSON[];
  userVerification: 'required';
}

export interface RegistrationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: {
    clientDataJSON: string;
    attestationObject: string;
    transports?: string[];
  };
  authenticatorAttachment?: string | null;
  clientExtensionResults?: Record<string, unknown>;
}

export interface AuthenticationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string | null;
  };
  authenticatorAttachment?: string | null;
  clientExtensionResults?: Record<string, unknown>;
}

/** What a relying party checks a ceremony against: the issued challenge, its origins and RP ID. */
export interface CeremonyExpectation {
  /** The base64url challenge that was issued for this ceremony. */
  challenge: string;
  /** Exact origins (scheme://host[:port]) the browser may report. */
  origins: readonly string[];
  rpId: string;
}

/**
 * Why a registration or an authentication was refused. Stable codes: the HTTP edge answers each with
 * a 400 problem (the log keeps the code), except `counter_not_increased`, which is also logged as a
 * possible cloned authenticator.
 */
export type WebAuthnRefusal =
  | 'malformed_response'
  | 'wrong_ceremony_type'
  | 'challenge_mismatch'
  | 'origin_not_allowed'
  | 'rp_id_mismatch'
  | 'user_not_present'
  | 'user_not_verified'
  | 'missing_credential_data'
  | 'credential_id_mismatch'
  | 'unsupported_attestation'
  | 'algorithm_not_allowed'
  | 'unsupported_public_key'
  | 'invalid_signature'
  | 'user_handle_mismatch'
  | 'backup_eligibility_changed'
  | 'counter_not_increased';

export type Refused = { ok: false; reason: WebAuthnRefusal };

export function refuse(reason: WebAuthnRefusal): Refused {
  return { ok: false, reason };
}
