// Credential public keys arrive as COSE_Key maps (RFC 9052/9053) and are stored as those same bytes,
// so the algorithm travels with the key. Each algorithm is pinned to one key shape (ES256 to an EC2
// P-256 key, EdDSA to an OKP Ed25519 key, RS256 to an RSA key of at least 2048 bits) before the key
// reaches WebCrypto, so a key can never be used under an algorithm it was not made for.
import { bytesToBase64Url } from '../../kit/encoding';
import { type CborMap, decodeCbor } from './cbor';
import type { CoseAlgorithm } from './types';

export interface CosePublicKey {
  algorithm: CoseAlgorithm;
  /** The key as JWK, ready for `crypto.subtle.importKey`. */
  jwk: JsonWebKey;
}

const minimumRsaModulusBytes = 256;

/** Reads a COSE_Key into its algorithm and JWK; null for any key Latchkey does not accept. */
export function parseCosePublicKey(map: CborMap): CosePublicKey | null {
  const keyType = map.get(1);
  const algorithm = map.get(3);
  if (map.has(-4)) return null; // a private key component: never accept (or store) one
  if (algorithm === -7 && keyType === 2) {
    const x = map.get(-2);
    const y = map.get(-3);
    if (map.get(-1) !== 1 || !isBytes(x, 32) || !isBytes(y, 32)) return null;
    return { algorithm, jwk: { kty: 'EC', crv: 'P-256', x: bytesToBase64Url(x), y: bytesToBase64Url(y) } };
  }
  if (algorithm === -8 && keyType === 1) {
    const x = map.get(-2);
    if (map.get(-1) !== 6 || !isBytes(x, 32)) return null;
    return { algorithm, jwk: { kty: 'OKP', crv: 'Ed25519', x: bytesToBase64Url(x) } };
  }
  if (algorithm === -257 && keyType === 3) {
    const n = map.get(-1);
    const e = map.get(-2);
    if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array) || n[0] === 0 || e.length === 0) return null;
    if (n.length < minimumRsaModulusBytes || e.length > 4) return null;
    return { algorithm, jwk: { kty: 'RSA', n: bytesToBase64Url(n), e: bytesToBase64Url(e) } };
  }
  return null;
}

/** Decodes stored COSE_Key bytes; null if they are not a key Latchkey accepts. */
export function decodeCosePublicKey(bytes: Uint8Array): CosePublicKey | null {
  const map = decodeCbor(bytes);
  return map instanceof Map ? parseCosePublicKey(map) : null;
}

// workerd takes the standard WebCrypto name 'Ed25519' (the EdDSA tests run it, from JWK, in
// workerd 1.20261102); the non-standard { name: 'NODE-ED25519', namedCurve: 'NODE-ED25519' } of
// older workerd releases is not needed, and no other runtime knows it.
const importParameters: Record<CoseAlgorithm, SubtleCryptoImportKeyAlgorithm> = {
  [-7]: { name: 'ECDSA', namedCurve: 'P-256' },
  [-8]: { name: 'Ed25519' },
  [-257]: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
};

const verifyParameters: Record<CoseAlgorithm, SubtleCryptoSignAlgorithm> = {
  [-7]: { name: 'ECDSA', hash: 'SHA-256' },
  [-8]: { name: 'Ed25519' },
  [-257]: { name: 'RSASSA-PKCS1-v1_5' },
};

/** Checks a WebAuthn signature over `data`. ECDSA signatures arrive DER-encoded (WebAuthn §6.5.5). */
export async function verifyCoseSignature(
  key: CosePublicKey,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const raw = key.algorithm === -7 ? derEcdsaSignatureToRaw(signature, 32) : signature;
  if (raw === null) return false;
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey('jwk', key.jwk, importParameters[key.algorithm], false, ['verify']);
  } catch {
    return false; // e.g. an EC point that is not on the curve
  }
  // The casts say the bytes live in an ArrayBuffer (never shared memory), which Deno's stricter
  // WebCrypto types ask for; workerd's accept any view.
  return crypto.subtle.verify(
    verifyParameters[key.algorithm],
    cryptoKey,
    raw as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );
}

/** Checks a signature over what authenticators sign: authenticatorData || SHA-256(clientDataJSON) (§6.3.3). */
export async function verifyAssertionSignature(
  key: CosePublicKey,
  signature: Uint8Array,
  authData: Uint8Array,
  clientDataJSON: Uint8Array,
): Promise<boolean> {
  const clientDataHash = new Uint8Array(
    await crypto.subtle.digest('SHA-256', clientDataJSON as Uint8Array<ArrayBuffer>),
  );
  const message = new Uint8Array(authData.length + clientDataHash.length);
  message.set(authData);
  message.set(clientDataHash, authData.length);
  return verifyCoseSignature(key, signature, message);
}

/**
 * Converts an ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` into the fixed-width r||s form that
 * WebCrypto's ECDSA expects. Refuses non-minimal or oversized encodings instead of normalising them.
 */
export function derEcdsaSignatureToRaw(der: Uint8Array, size: number): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[1]! >= 0x80) return null;
  const raw = new Uint8Array(size * 2);
  let offset = 2;
  for (let part = 0; part < 2; part++) {
    const length = der[offset + 1];
    if (der[offset] !== 0x02 || length === undefined || length === 0 || offset + 2 + length > der.length) return null;
    let value = der.subarray(offset + 2, offset + 2 + length);
    if (value[0]! & 0x80) return null; // negative
    if (value[0] === 0 && value.length > 1) {
      if (!(value[1]! & 0x80)) return null; // a leading zero that is not needed
      value = value.subarray(1);
    }
    if (value.length > size) return null;
    raw.set(value, part * size + size - value.length);
    offset += 2 + length;
  }
  return offset === der.length ? raw : null;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}
