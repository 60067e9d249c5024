// Verifies a passkey sign-in (WebAuthn §7.2) against a stored passkey. The caller finds the passkey
// by the response's credential id; this checks that the browser, the authenticator and the user
// handle all agree with it, that the signature is valid, that the passkey is as backup eligible
// as when it was registered, and that the signature counter moved on.
import { base64UrlToBytes, timingSafeEqual } from '../../kit/encoding';
import { checkAuthenticatorData, parseAuthenticatorData } from './authenticator-data';
import { checkClientData } from './client-data';
import { decodeField, responseOf } from './response';
import { decodeCosePublicKey, verifyAssertionSignature } from './cose-key';
import {
  type AuthenticationResponseJSON,
  type CeremonyExpectation,
  type CoseAlgorithm,
  type Refused,
  refuse,
} from './types';

/** The stored passkey a sign-in response claims to come from. */
export interface StoredPasskey {
  /** Credential id, base64url. */
  id: string;
  /** COSE_Key bytes, base64url, as returned by verifyRegistration. */
  publicKey: string;
  algorithm: CoseAlgorithm;
  signCount: number;
  /** The owner's WebAuthn user handle, base64url. */
  userHandle: string;
  /** The BE flag its registration reported: fixed for the life of the credential. */
  backupEligible: boolean;
}

export type AuthenticationResult = { ok: true; signCount: number; backedUp: boolean } | Refused;

export async function verifyAuthentication(
  credential: AuthenticationResponseJSON,
  passkey: StoredPasskey,
  expected: CeremonyExpectation,
): Promise<AuthenticationResult> {
  const response = responseOf(credential);
  if (!response) return refuse('malformed_response');
  if (credential.rawId !== passkey.id) return refuse('credential_id_mismatch');
  const clientDataJSON = decodeField(response.clientDataJSON);
  const authData = decodeField(response.authenticatorData);
  const signature = decodeField(response.signature);
  if (!clientDataJSON || !authData || !signature) return refuse('malformed_response');

  const clientDataRefusal = checkClientData(clientDataJSON, 'webauthn.get', expected);
  if (clientDataRefusal) return clientDataRefusal;
  const data = parseAuthenticatorData(authData);
  if (!data) return refuse('malformed_response');
  const dataRefusal = await checkAuthenticatorData(data, expected.rpId);
  if (dataRefusal) return dataRefusal;

  // Usernameless sign-in: the user handle is the only statement of whose passkey this is (§7.2 step 6).
  const userHandle = decodeField(response.userHandle);
  const storedHandle = base64UrlToBytes(passkey.userHandle);
  if (!userHandle || !storedHandle || !timingSafeEqual(userHandle, storedHandle)) {
    return refuse('user_handle_mismatch');
  }

  const publicKey = decodeCosePublicKey(base64UrlToBytes(passkey.publicKey) ?? new Uint8Array());
  if (!publicKey || publicKey.algorithm !== passkey.algorithm) return refuse('unsupported_public_key');
  if (!(await verifyAssertionSignature(publicKey, signature, authData, clientDataJSON))) {
    return refuse('invalid_signature');
  }

  // §7.2 step 17: backup eligibility is fixed when a credential is made (§6.1.3), so a change means
  // this is not the authenticator that registered it, or one that misreports. Backup state (BS) may
  // change (a passkey synced later) and is handed back to be stored. Checked after the signature,
  // so only the key's holder learns the stored flag.
  if (data.backupEligible !== passkey.backupEligible) return refuse('backup_eligibility_changed');

  // §7.2 step 22: authenticators that keep a counter must raise it on every use; one that did not
  // may have been cloned. Authenticators without a counter (most synced passkeys) always send 0.
  if ((data.signCount !== 0 || passkey.signCount !== 0) && data.signCount <= passkey.signCount) {
    return refuse('counter_not_increased');
  }
  return { ok: true, signCount: data.signCount, backedUp: data.backedUp };
}
