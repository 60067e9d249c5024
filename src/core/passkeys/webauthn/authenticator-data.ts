// Authenticator data (WebAuthn §6.1): rpIdHash (32) | flags (1) | signCount (4, big-endian)
// | attested credential data (AT flag) | extensions (ED flag). Parsed strictly: a flag that
// promises data must be followed by it, and nothing may trail.
import { sha256, timingSafeEqual } from '../../kit/encoding';
import { type CborMap, decodeCborItem } from './cbor';
import { type Refused, refuse } from './types';

export interface AuthenticatorData {
  rpIdHash: Uint8Array;
  userPresent: boolean;
  userVerified: boolean;
  /** The credential may be synced (a multi-device passkey). */
  backupEligible: boolean;
  /** The credential is currently backed up. */
  backedUp: boolean;
  signCount: number;
  attestedCredential: AttestedCredential | null;
}

export interface AttestedCredential {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  /** The COSE_Key bytes exactly as the authenticator sent them: what is stored. */
  publicKeyBytes: Uint8Array;
  publicKey: CborMap;
}

const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagBackupEligible = 0x08;
const flagBackedUp = 0x10;
const flagAttestedCredential = 0x40;
const flagExtensions = 0x80;
// WebAuthn §7.1 step 20: credential ids longer than 1023 bytes are refused.
const maxCredentialIdLength = 1023;

export function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData | null {
  if (bytes.length < 37) return null;
  const flags = bytes[32]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const backupEligible = (flags & flagBackupEligible) !== 0;
  const backedUp = (flags & flagBackedUp) !== 0;
  if (backedUp && !backupEligible) return null; // §6.1.3: BS without BE is invalid
  let offset = 37;
  let attestedCredential: AttestedCredential | null = null;
  if (flags & flagAttestedCredential) {
    if (bytes.length < offset + 18) return null;
    const aaguid = bytes.slice(offset, offset + 16);
    const idLength = view.getUint16(offset + 16);
    offset += 18;
    if (idLength === 0 || idLength > maxCredentialIdLength || bytes.length < offset + idLength) return null;
    const credentialId = bytes.slice(offset, offset + idLength);
    offset += idLength;
    const key = decodeCborItem(bytes, offset);
    if (!key || !(key.value instanceof Map)) return null;
    attestedCredential = { aaguid, credentialId, publicKeyBytes: bytes.slice(offset, key.end), publicKey: key.value };
    offset = key.end;
  }
  if (flags & flagExtensions) {
    const extensions = decodeCborItem(bytes, offset);
    if (!extensions || !(extensions.value instanceof Map)) return null;
    offset = extensions.end;
  }
  if (offset !== bytes.length) return null;
  return {
    rpIdHash: bytes.slice(0, 32),
    userPresent: (flags & flagUserPresent) !== 0,
    userVerified: (flags & flagUserVerified) !== 0,
    backupEligible,
    backedUp,
    signCount: view.getUint32(33),
    attestedCredential,
  };
}

/**
 * The checks both ceremonies share (WebAuthn §7.1 steps 13-16, §7.2 steps 15-17): the data was made
 * for this RP ID, and the user was present and verified. User verification is required because a
 * passkey stands in for both the password and the second factor.
 */
export async function checkAuthenticatorData(data: AuthenticatorData, rpId: string): Promise<Refused | null> {
  if (!timingSafeEqual(data.rpIdHash, await sha256(rpId))) return refuse('rp_id_mismatch');
  if (!data.userPresent) return refuse('user_not_present');
  if (!data.userVerified) return refuse('user_not_verified');
  return null;
}
