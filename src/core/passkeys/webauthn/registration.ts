// Verifies a passkey registration (WebAuthn §7.1) against the ceremony Latchkey issued. Attestation
// is not requested, so only "none" and self attestation ("packed" without certificates, which
// clients may pass through unchanged, §5.1.3) are accepted; neither says who made the authenticator.
import { bytesToBase64Url, timingSafeEqual } from '../../kit/encoding';
import { decodeCbor } from './cbor';
import { checkAuthenticatorData, parseAuthenticatorData } from './authenticator-data';
import { checkClientData } from './client-data';
import { decodeField, responseOf } from './response';
import { type CosePublicKey, parseCosePublicKey, verifyAssertionSignature } from './cose-key';
import {
  type CeremonyExpectation,
  type CoseAlgorithm,
  type Refused,
  type RegistrationResponseJSON,
  refuse,
  supportedAlgorithms,
} from './types';

/** A verified new passkey, in the form to store. */
export interface VerifiedPasskey {
  /** The credential id, base64url: unique across all users. */
  id: string;
  /** The COSE_Key bytes, base64url (algorithm included). */
  publicKey: string;
  algorithm: CoseAlgorithm;
  signCount: number;
  transports: string[];
  /** The authenticator's model id (16 zero bytes under attestation "none"), as a UUID string. */
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
}

export interface RegistrationExpectation extends CeremonyExpectation {
  /** The algorithms offered in the creation options (default: all Latchkey supports). */
  algorithms?: readonly CoseAlgorithm[];
}

export type RegistrationResult = { ok: true; passkey: VerifiedPasskey } | Refused;

const knownTransports = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export async function verifyRegistration(
  credential: RegistrationResponseJSON,
  expected: RegistrationExpectation,
): Promise<RegistrationResult> {
  const response = responseOf(credential);
  if (!response) return refuse('malformed_response');
  const rawId = decodeField(credential.rawId);
  const clientDataJSON = decodeField(response.clientDataJSON);
  const attestation = decodeCbor(decodeField(response.attestationObject) ?? new Uint8Array());
  if (!rawId || !clientDataJSON || !(attestation instanceof Map)) return refuse('malformed_response');

  const clientDataRefusal = checkClientData(clientDataJSON, 'webauthn.create', expected);
  if (clientDataRefusal) return clientDataRefusal;

  const format = attestation.get('fmt');
  const statement = attestation.get('attStmt');
  const authData = attestation.get('authData');
  if (!(authData instanceof Uint8Array) || !(statement instanceof Map)) return refuse('malformed_response');
  const data = parseAuthenticatorData(authData);
  if (!data) return refuse('malformed_response');
  const dataRefusal = await checkAuthenticatorData(data, expected.rpId);
  if (dataRefusal) return dataRefusal;
  const attested = data.attestedCredential;
  if (!attested) return refuse('missing_credential_data');
  if (!timingSafeEqual(attested.credentialId, rawId)) return refuse('credential_id_mismatch');

  const algorithm = attested.publicKey.get(3);
  const offered = expected.algorithms ?? supportedAlgorithms;
  if (!offered.includes(algorithm as CoseAlgorithm)) return refuse('algorithm_not_allowed');
  const publicKey = parseCosePublicKey(attested.publicKey);
  if (!publicKey) return refuse('unsupported_public_key');

  if (format === 'none') {
    if (statement.size !== 0) return refuse('unsupported_attestation');
  } else if (format === 'packed' && !statement.has('x5c')) {
    if (!(await verifySelfAttestation(statement, publicKey, authData, clientDataJSON))) {
      return refuse('invalid_signature');
    }
  } else {
    return refuse('unsupported_attestation');
  }

  return {
    ok: true,
    passkey: {
      id: bytesToBase64Url(attested.credentialId),
      publicKey: bytesToBase64Url(attested.publicKeyBytes),
      algorithm: publicKey.algorithm,
      signCount: data.signCount,
      transports: readTransports(response.transports),
      aaguid: formatAaguid(attested.aaguid),
      backupEligible: data.backupEligible,
      backedUp: data.backedUp,
    },
  };
}

/** Self attestation (§8.2): signed with the new credential's own key, under its own algorithm. */
async function verifySelfAttestation(
  statement: Map<number | string, unknown>,
  publicKey: CosePublicKey,
  authData: Uint8Array,
  clientDataJSON: Uint8Array,
): Promise<boolean> {
  const signature = statement.get('sig');
  if (statement.get('alg') !== publicKey.algorithm || !(signature instanceof Uint8Array)) return false;
  return verifyAssertionSignature(publicKey, signature, authData, clientDataJSON);
}

function readTransports(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((transport): transport is string => knownTransports.has(transport)))];
}

function formatAaguid(bytes: Uint8Array): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
