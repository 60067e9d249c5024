// A software WebAuthn authenticator for tests: real key pairs (P-256, Ed25519, RSA 2048) in
// WebCrypto, attestation "none" in CBOR, authenticator data with flags and a counter, and real
// signatures, answered in the WebAuthn JSON forms a browser would post. Each call can be tampered
// with to play a phishing page, a cloned authenticator or a broken client.
import { base64UrlToBytes, bytesToBase64Url, randomBytes } from '../../src/core/kit/encoding';
import type {
  AuthenticationResponseJSON,
  CoseAlgorithm,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '../../src/core/passkeys/webauthn/types';
import { type EncodableCbor, encodeCbor } from './cbor-encoder';

export interface Tampering {
  /** The origin the browser writes into the client data. */
  origin?: string;
  /** The RP ID whose hash the authenticator writes into authenticator data. */
  rpId?: string;
  type?: string;
  challenge?: string;
  userPresent?: boolean;
  userVerified?: boolean;
  /** Sends this counter instead of the next one (a cloned authenticator). */
  signCount?: number;
  /** Sets or clears the BE flag instead of the authenticator's own (a changed backup eligibility). */
  backupEligible?: boolean;
  /** Sets or clears the BS flag; by default it follows BE (a synced passkey is backed up). */
  backedUp?: boolean;
  /** Flips a bit of the signature. */
  corruptSignature?: boolean;
  /** Sends this user handle instead of the credential's own. */
  userHandle?: string | null;
  /** Registration: makes the new credential under this id (another user's, say). */
  credentialId?: Uint8Array;
  /** Registration: the attestation format and statement to send instead of "none". */
  attestation?: { fmt: string; attStmt: Map<number | string, EncodableCbor> };
}

export interface SoftwareCredential {
  id: Uint8Array;
  rpId: string;
  userHandle: string;
  algorithm: CoseAlgorithm;
  privateKey: CryptoKey;
  coseKey: Uint8Array;
  signCount: number;
}

export interface SoftwareAuthenticatorOptions {
  origin: string;
  algorithm?: CoseAlgorithm;
  /** Most synced passkeys keep no counter and always send 0; security keys count up. */
  counter?: boolean;
  backupEligible?: boolean;
}

export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];
  readonly origin: string;
  readonly algorithm: CoseAlgorithm;
  readonly counter: boolean;
  readonly backupEligible: boolean;

  constructor(options: SoftwareAuthenticatorOptions) {
    this.origin = options.origin;
    this.algorithm = options.algorithm ?? -7;
    this.counter = options.counter ?? true;
    this.backupEligible = options.backupEligible ?? false;
  }

  /** navigator.credentials.create(): makes a key pair under this authenticator's algorithm. */
  async register(
    options: PublicKeyCredentialCreationOptionsJSON,
    tampering: Tampering = {},
  ): Promise<RegistrationResponseJSON> {
    const { privateKey, coseKey } = await generateKeyPair(this.algorithm);
    const credential: SoftwareCredential = {
      id: tampering.credentialId ?? randomBytes(16),
      rpId: options.rp.id,
      userHandle: options.user.id,
      algorithm: this.algorithm,
      privateKey,
      coseKey,
      signCount: 0,
    };
    this.credentials.push(credential);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, tampering);
    const attestedCredentialData = concat(
      new Uint8Array(16), // AAGUID: zero under attestation "none"
      new Uint8Array([credential.id.length >> 8, credential.id.length & 0xff]),
      credential.id,
      coseKey,
    );
    const authData = await this.authenticatorData(credential, tampering, 0x40, attestedCredentialData);
    const attestation = tampering.attestation ?? { fmt: 'none', attStmt: new Map() };
    const attestationObject = encodeCbor(
      new Map<string, EncodableCbor>([
        ['fmt', attestation.fmt],
        ['attStmt', attestation.attStmt],
        ['authData', authData],
      ]),
    );
    const id = bytesToBase64Url(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: bytesToBase64Url(clientDataJSON),
        attestationObject: bytesToBase64Url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get(): signs with the newest (or the given) credential for the RP ID. */
  async authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    tampering: Tampering = {},
    credential = this.credentials.findLast((candidate) => candidate.rpId === options.rpId),
  ): Promise<AuthenticationResponseJSON> {
    if (!credential) throw new Error(`no credential for ${options.rpId}`);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, tampering);
    const authData = await this.authenticatorData(credential, tampering, 0, new Uint8Array());
    const signature = await this.sign(credential, authData, clientDataJSON);
    if (tampering.corruptSignature) signature[signature.length - 1]! ^= 0x01;
    const id = bytesToBase64Url(credential.id);
    const userHandle = tampering.userHandle === undefined ? credential.userHandle : tampering.userHandle;
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: bytesToBase64Url(clientDataJSON),
        authenticatorData: bytesToBase64Url(authData),
        signature: bytesToBase64Url(signature),
        userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** Signs authData || SHA-256(clientDataJSON) as the credential's authenticator would (ES256 in DER). */
  async sign(credential: SoftwareCredential, authData: Uint8Array, clientDataJSON: Uint8Array): Promise<Uint8Array> {
    const message = concat(authData, new Uint8Array(await crypto.subtle.digest('SHA-256', clientDataJSON)));
    const signature = new Uint8Array(
      await crypto.subtle.sign(signParameters[credential.algorithm], credential.privateKey, message),
    );
    return credential.algorithm === -7 ? rawEcdsaSignatureToDer(signature) : signature;
  }

  private clientData(type: string, challenge: string, tampering: Tampering): Uint8Array {
    const clientData = {
      type: tampering.type ?? type,
      challenge: tampering.challenge ?? challenge,
      origin: tampering.origin ?? this.origin,
      crossOrigin: false,
    };
    return new TextEncoder().encode(JSON.stringify(clientData));
  }

  private async authenticatorData(
    credential: SoftwareCredential,
    tampering: Tampering,
    extraFlags: number,
    attestedCredentialData: Uint8Array,
  ): Promise<Uint8Array> {
    const rpIdHash = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(tampering.rpId ?? credential.rpId)),
    );
    let flags = extraFlags;
    if (tampering.userPresent ?? true) flags |= 0x01;
    if (tampering.userVerified ?? true) flags |= 0x04;
    const backupEligible = tampering.backupEligible ?? this.backupEligible;
    if (backupEligible) flags |= 0x08;
    if (tampering.backedUp ?? backupEligible) flags |= 0x10;
    if (this.counter && extraFlags === 0) credential.signCount += 1;
    const signCount = tampering.signCount ?? (this.counter ? credential.signCount : 0);
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, signCount);
    return concat(rpIdHash, new Uint8Array([flags]), counter, attestedCredentialData);
  }
}

const signParameters: Record<CoseAlgorithm, SubtleCryptoSignAlgorithm> = {
  [-7]: { name: 'ECDSA', hash: 'SHA-256' },
  [-8]: { name: 'Ed25519' },
  [-257]: { name: 'RSASSA-PKCS1-v1_5' },
};

async function generateKeyPair(algorithm: CoseAlgorithm): Promise<{ privateKey: CryptoKey; coseKey: Uint8Array }> {
  const parameters =
    algorithm === -7
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : algorithm === -8
        ? { name: 'Ed25519' }
        : {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: 2048,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: 'SHA-256',
          };
  const pair = (await crypto.subtle.generateKey(parameters, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  const bytes = (text: string | undefined) => base64UrlToBytes(text!)!;
  const cose: Map<number, EncodableCbor> =
    algorithm === -7
      ? new Map<number, EncodableCbor>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, bytes(jwk.x)],
          [-3, bytes(jwk.y)],
        ])
      : algorithm === -8
        ? new Map<number, EncodableCbor>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, bytes(jwk.x)],
          ])
        : new Map<number, EncodableCbor>([
            [1, 3],
            [3, -257],
            [-1, bytes(jwk.n)],
            [-2, bytes(jwk.e)],
          ]);
  return { privateKey: pair.privateKey, coseKey: encodeCbor(cose) };
}

/** WebCrypto signs ECDSA as r||s; WebAuthn sends ASN.1 DER, as real authenticators do. */
export function rawEcdsaSignatureToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const body = trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed;
    return concat(new Uint8Array([0x02, body.length]), body);
  };
  const half = raw.length / 2;
  const sequence = concat(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
  return concat(new Uint8Array([0x30, sequence.length]), sequence);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
