import { describe, expect, it } from 'vitest';
import { verifyAuthentication, type StoredPasskey } from '../src/core/passkeys/webauthn/authentication';
import {
  buildCreationOptions,
  buildRequestOptions,
  generateChallenge,
  generateUserHandle,
} from '../src/core/passkeys/webauthn/options';
import { verifyRegistration, type RegistrationExpectation } from '../src/core/passkeys/webauthn/registration';
import type { CoseAlgorithm } from '../src/core/passkeys/webauthn/types';
import { base64UrlToBytes, bytesToBase64Url } from '../src/core/kit/encoding';
import { type CborMap, decodeCbor } from '../src/core/passkeys/webauthn/cbor';
import { type EncodableCbor, encodeCbor } from './support/cbor-encoder';
import { SoftwareAuthenticator, type Tampering } from './support/software-authenticator';

const rp = { id: 'app.example', name: 'Latchkey' };
const origin = 'https://app.example';
const userHandle = generateUserHandle();

function creationOptions(challenge = generateChallenge()) {
  return buildCreationOptions({
    rp,
    user: { handle: userHandle, name: 'alice', displayName: 'Alice' },
    challenge,
    excludeCredentials: [],
  });
}

function expectation(challenge: string, overrides: Partial<RegistrationExpectation> = {}): RegistrationExpectation {
  return { challenge, origins: [origin], rpId: rp.id, ...overrides };
}

async function register(authenticator: SoftwareAuthenticator, tampering: Tampering = {}, overrides = {}) {
  const options = creationOptions();
  const response = await authenticator.register(options, tampering);
  return verifyRegistration(response, expectation(options.challenge, overrides));
}

/** Registers a passkey and returns it as the wiring would store it. */
async function registeredPasskey(authenticator: SoftwareAuthenticator): Promise<StoredPasskey> {
  const result = await register(authenticator);
  if (!result.ok) throw new Error(`registration refused: ${result.reason}`);
  const { id, publicKey, algorithm, signCount, backupEligible } = result.passkey;
  return { id, publicKey, algorithm, signCount, userHandle, backupEligible };
}

async function signIn(authenticator: SoftwareAuthenticator, passkey: StoredPasskey, tampering: Tampering = {}) {
  const options = buildRequestOptions({ rpId: rp.id, challenge: generateChallenge() });
  const response = await authenticator.authenticate(options, tampering);
  return verifyAuthentication(response, passkey, expectation(options.challenge));
}

describe('passkey options', () => {
  it('asks for a discoverable, user-verified passkey with ES256, Ed25519 and RS256 and no attestation', () => {
    const challenge = generateChallenge();
    const options = buildCreationOptions({
      rp,
      user: { handle: userHandle, name: 'alice@example.com', displayName: 'Alice' },
      challenge,
      excludeCredentials: [{ id: 'AAEC', transports: ['internal'] }, { id: 'AwQF' }],
    });
    expect(options).toEqual({
      rp: { id: 'app.example', name: 'Latchkey' },
      user: { id: userHandle, name: 'alice@example.com', displayName: 'Alice' },
      challenge,
      pubKeyCredParams: [
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -8 },
        { type: 'public-key', alg: -257 },
      ],
      timeout: 300_000,
      excludeCredentials: [
        { type: 'public-key', id: 'AAEC', transports: ['internal'] },
        { type: 'public-key', id: 'AwQF' },
      ],
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      attestation: 'none',
    });
  });

  it('asks for usernameless sign-in with user verification', () => {
    expect(buildRequestOptions({ rpId: rp.id, challenge: 'abc' })).toEqual({
      challenge: 'abc',
      timeout: 300_000,
      rpId: 'app.example',
      allowCredentials: [],
      userVerification: 'required',
    });
  });

  it('makes 32-byte random challenges and user handles, base64url', () => {
    expect(generateChallenge()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateUserHandle()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateChallenge()).not.toBe(generateChallenge());
  });
});

describe.each<[string, CoseAlgorithm]>([
  ['ES256 (P-256)', -7],
  ['EdDSA (Ed25519)', -8],
  ['RS256 (RSA 2048)', -257],
])('passkey with %s', (_name, algorithm) => {
  it('registers, then signs in twice with a counter that moves forward', async () => {
    const authenticator = new SoftwareAuthenticator({ origin, algorithm });
    const registration = await register(authenticator);
    expect(registration).toMatchObject({
      ok: true,
      passkey: {
        algorithm,
        signCount: 0,
        transports: ['internal', 'hybrid'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        backupEligible: false,
        backedUp: false,
      },
    });
    const passkey = await registeredPasskey(authenticator);
    const first = await signIn(authenticator, passkey);
    expect(first).toEqual({ ok: true, signCount: 1, backedUp: false });
    const second = await signIn(authenticator, { ...passkey, signCount: 1 });
    expect(second).toEqual({ ok: true, signCount: 2, backedUp: false });
  });

  it('refuses a tampered signature', async () => {
    const authenticator = new SoftwareAuthenticator({ origin, algorithm });
    const passkey = await registeredPasskey(authenticator);
    expect(await signIn(authenticator, passkey, { corruptSignature: true })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });
});

describe('passkey registration refusals', () => {
  const authenticator = new SoftwareAuthenticator({ origin });
  const refusal = async (tampering: Tampering, overrides: Partial<RegistrationExpectation> = {}) => {
    const result = await register(authenticator, tampering, overrides);
    return result.ok ? null : result.reason;
  };

  it('refuses a response from another origin (a phishing page)', async () => {
    expect(await refusal({ origin: 'https://app.example.evil' })).toBe('origin_not_allowed');
  });

  it('refuses authenticator data made for another RP ID', async () => {
    expect(await refusal({ rpId: 'evil.example' })).toBe('rp_id_mismatch');
  });

  it('refuses when the user was not verified', async () => {
    expect(await refusal({ userVerified: false })).toBe('user_not_verified');
  });

  it('refuses when the user was not present', async () => {
    expect(await refusal({ userPresent: false })).toBe('user_not_present');
  });

  it('refuses a challenge other than the one issued', async () => {
    expect(await refusal({ challenge: generateChallenge() })).toBe('challenge_mismatch');
  });

  it('refuses client data of a sign-in ceremony', async () => {
    expect(await refusal({ type: 'webauthn.get' })).toBe('wrong_ceremony_type');
  });

  it('refuses a key under an algorithm that was not offered', async () => {
    const ed25519 = new SoftwareAuthenticator({ origin, algorithm: -8 });
    const result = await register(ed25519, {}, { algorithms: [-7, -257] });
    expect(result).toEqual({ ok: false, reason: 'algorithm_not_allowed' });
  });

  it('refuses an attestation format other than none or self attestation', async () => {
    const attestation = { fmt: 'fido-u2f', attStmt: new Map([['sig', new Uint8Array(8)]]) };
    expect(await refusal({ attestation })).toBe('unsupported_attestation');
  });

  it('refuses a malformed attestation object', async () => {
    const options = creationOptions();
    const response = await authenticator.register(options);
    response.response.attestationObject = 'AAAA';
    expect(await verifyRegistration(response, expectation(options.challenge))).toEqual({
      ok: false,
      reason: 'malformed_response',
    });
  });

  it('refuses a response that is not a public-key credential, without throwing', async () => {
    const options = creationOptions();
    const response = await authenticator.register(options);
    const broken = [{ ...response, type: 'password' }, { ...response, response: null }, null];
    for (const credential of broken) {
      const result = await verifyRegistration(credential as never, expectation(options.challenge));
      expect(result).toEqual({ ok: false, reason: 'malformed_response' });
    }
  });

  it('refuses a credential id that does not match the attested one', async () => {
    const options = creationOptions();
    const response = await authenticator.register(options);
    response.id = response.rawId = 'AAECAwQFBgcICQoLDA0ODw';
    expect(await verifyRegistration(response, expectation(options.challenge))).toEqual({
      ok: false,
      reason: 'credential_id_mismatch',
    });
  });

  it('accepts self attestation signed by the new key and refuses it with a wrong signature', async () => {
    const options = creationOptions();
    const response = await authenticator.register(options);
    const noneAttestation = decodeCbor(base64UrlToBytes(response.response.attestationObject)!) as CborMap;
    const authData = noneAttestation.get('authData') as Uint8Array;
    const clientDataJSON = base64UrlToBytes(response.response.clientDataJSON)!;
    const signature = await authenticator.sign(authenticator.credentials.at(-1)!, authData, clientDataJSON);
    const withPackedAttestation = (sig: Uint8Array) => {
      const attStmt = new Map<string, EncodableCbor>([
        ['alg', -7],
        ['sig', sig],
      ]);
      const attestationObject = new Map<string, EncodableCbor>([
        ['fmt', 'packed'],
        ['attStmt', attStmt],
        ['authData', authData],
      ]);
      return {
        ...response,
        response: { ...response.response, attestationObject: bytesToBase64Url(encodeCbor(attestationObject)) },
      };
    };
    const accepted = await verifyRegistration(withPackedAttestation(signature), expectation(options.challenge));
    expect(accepted).toMatchObject({ ok: true });
    const forged = signature.slice();
    forged[forged.length - 1]! ^= 1;
    expect(await verifyRegistration(withPackedAttestation(forged), expectation(options.challenge))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('reports backup eligibility and state for a synced passkey', async () => {
    const synced = new SoftwareAuthenticator({ origin, backupEligible: true, counter: false });
    expect(await register(synced)).toMatchObject({ ok: true, passkey: { backupEligible: true, backedUp: true } });
  });
});

describe('passkey sign-in refusals', () => {
  const authenticator = new SoftwareAuthenticator({ origin });
  const refusal = async (tampering: Tampering, passkey?: StoredPasskey) => {
    const result = await signIn(authenticator, passkey ?? (await registeredPasskey(authenticator)), tampering);
    return result.ok ? null : result.reason;
  };

  it('refuses a response from another origin (a phishing page)', async () => {
    expect(await refusal({ origin: 'https://login.app.example' })).toBe('origin_not_allowed');
  });

  it('refuses authenticator data made for another RP ID', async () => {
    expect(await refusal({ rpId: 'example' })).toBe('rp_id_mismatch');
  });

  it('refuses when the user was not verified', async () => {
    expect(await refusal({ userVerified: false })).toBe('user_not_verified');
  });

  it('refuses a challenge other than the one issued', async () => {
    expect(await refusal({ challenge: generateChallenge() })).toBe('challenge_mismatch');
  });

  it('refuses client data of a registration ceremony', async () => {
    expect(await refusal({ type: 'webauthn.create' })).toBe('wrong_ceremony_type');
  });

  it('refuses a counter that did not move forward (a possibly cloned authenticator)', async () => {
    const passkey = await registeredPasskey(authenticator);
    expect(await refusal({ signCount: 5 }, { ...passkey, signCount: 5 })).toBe('counter_not_increased');
    expect(await refusal({ signCount: 4 }, { ...passkey, signCount: 5 })).toBe('counter_not_increased');
  });

  it('refuses a zero counter once the stored counter is not zero', async () => {
    const passkey = await registeredPasskey(authenticator);
    expect(await refusal({ signCount: 0 }, { ...passkey, signCount: 3 })).toBe('counter_not_increased');
  });

  it('accepts an authenticator that keeps no counter (always zero)', async () => {
    const synced = new SoftwareAuthenticator({ origin, counter: false });
    const passkey = await registeredPasskey(synced);
    expect(await signIn(synced, passkey)).toEqual({ ok: true, signCount: 0, backedUp: false });
    expect(await signIn(synced, passkey)).toEqual({ ok: true, signCount: 0, backedUp: false });
  });

  it("refuses a user handle other than the passkey owner's", async () => {
    expect(await refusal({ userHandle: generateUserHandle() })).toBe('user_handle_mismatch');
    expect(await refusal({ userHandle: null })).toBe('user_handle_mismatch');
  });

  it('refuses a response for another credential than the stored passkey', async () => {
    const passkey = await registeredPasskey(authenticator);
    const other = await registeredPasskey(new SoftwareAuthenticator({ origin }));
    expect(await refusal({}, { ...other, userHandle: passkey.userHandle })).toBe('credential_id_mismatch');
  });

  it('refuses a signature made by another key for the same credential id', async () => {
    const passkey = await registeredPasskey(authenticator);
    const impostor = await registeredPasskey(new SoftwareAuthenticator({ origin }));
    expect(await refusal({}, { ...passkey, publicKey: impostor.publicKey })).toBe('invalid_signature');
  });

  it('refuses a passkey registered as device-bound that now claims to be backup eligible', async () => {
    expect(await refusal({ backupEligible: true })).toBe('backup_eligibility_changed');
  });

  it('refuses a synced passkey that now claims not to be backup eligible', async () => {
    const synced = new SoftwareAuthenticator({ origin, backupEligible: true, counter: false });
    const passkey = await registeredPasskey(synced);
    expect(await signIn(synced, passkey, { backupEligible: false })).toEqual({
      ok: false,
      reason: 'backup_eligibility_changed',
    });
  });

  it('accepts a change of backup state and reports the new one', async () => {
    const synced = new SoftwareAuthenticator({ origin, backupEligible: true, counter: false });
    const passkey = await registeredPasskey(synced);
    expect(await signIn(synced, passkey, { backedUp: false })).toEqual({ ok: true, signCount: 0, backedUp: false });
    expect(await signIn(synced, passkey)).toEqual({ ok: true, signCount: 0, backedUp: true });
  });
});
