import { describe, expect, it } from 'vitest';
import { parseAuthenticatorData } from '../src/core/passkeys/webauthn/authenticator-data';
import { decodeCbor, decodeCborItem } from '../src/core/passkeys/webauthn/cbor';
import { decodeCosePublicKey, derEcdsaSignatureToRaw } from '../src/core/passkeys/webauthn/cose-key';
import { type EncodableCbor, encodeCbor } from './support/cbor-encoder';
import { concat, rawEcdsaSignatureToDer } from './support/software-authenticator';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('CBOR subset decoder', () => {
  it('decodes the shapes authenticators send: maps with integer and text keys, negative integers, byte strings', () => {
    const encoded = encodeCbor(
      new Map<number | string, EncodableCbor>([
        [1, 2],
        [-1, -257],
        ['fmt', 'none'],
        ['data', bytes(1, 2, 3)],
        ['list', [true, false, null, 65_536]],
      ]),
    );
    expect(decodeCbor(encoded)).toEqual(
      new Map<number | string, unknown>([
        [1, 2],
        [-1, -257],
        ['fmt', 'none'],
        ['data', bytes(1, 2, 3)],
        ['list', [true, false, null, 65_536]],
      ]),
    );
  });

  it('reports where an item ends, so a COSE key can be followed by extensions', () => {
    expect(decodeCborItem(bytes(0x01, 0xa0), 0)).toEqual({ value: 1, end: 1 });
    expect(decodeCborItem(bytes(0x01, 0xa0), 1)).toEqual({ value: new Map(), end: 2 });
  });

  it('refuses trailing bytes after a complete item', () => {
    expect(decodeCbor(bytes(0xa0, 0x00))).toBeUndefined();
  });

  it('refuses truncated input', () => {
    expect(decodeCbor(bytes(0x43, 1, 2))).toBeUndefined();
    expect(decodeCbor(bytes(0xa1, 0x01))).toBeUndefined();
    expect(decodeCbor(bytes(0x19, 0x01))).toBeUndefined();
  });

  it('refuses indefinite lengths, tags, floats and duplicate map keys', () => {
    expect(decodeCbor(bytes(0x5f, 0x41, 0x00, 0xff))).toBeUndefined();
    expect(decodeCbor(bytes(0xc2, 0x41, 0x01))).toBeUndefined();
    expect(decodeCbor(bytes(0xf9, 0x3c, 0x00))).toBeUndefined();
    expect(decodeCbor(bytes(0xa2, 0x01, 0x00, 0x01, 0x00))).toBeUndefined();
  });

  it('refuses text that is not UTF-8 and integers beyond 2^53', () => {
    expect(decodeCbor(bytes(0x61, 0xff))).toBeUndefined();
    expect(decodeCbor(bytes(0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBeUndefined();
  });

  it('refuses nesting deeper than any WebAuthn structure needs', () => {
    expect(decodeCbor(new Uint8Array([...new Array(20).fill(0x81), 0x00]))).toBeUndefined();
  });
});

describe('ECDSA signature conversion', () => {
  it('round-trips r||s through DER, including a short r and a high-bit s', () => {
    const raw = new Uint8Array(64);
    raw.set([0x00, 0x00, 0x12], 0);
    raw.fill(0x80, 32);
    expect(derEcdsaSignatureToRaw(rawEcdsaSignatureToDer(raw), 32)).toEqual(raw);
  });

  it('refuses non-minimal integers, negative integers and trailing bytes', () => {
    const integer = (...body: number[]) => bytes(0x02, body.length, ...body);
    const sequence = (...parts: Uint8Array[]) => {
      const body = concat(...parts);
      return concat(bytes(0x30, body.length), body);
    };
    expect(derEcdsaSignatureToRaw(sequence(integer(1, 2), integer(3, 4)), 32)).not.toBeNull();
    expect(derEcdsaSignatureToRaw(sequence(integer(0, 1), integer(3, 4)), 32)).toBeNull();
    expect(derEcdsaSignatureToRaw(sequence(integer(0x81), integer(3, 4)), 32)).toBeNull();
    expect(derEcdsaSignatureToRaw(concat(sequence(integer(1, 2), integer(3, 4)), bytes(0)), 32)).toBeNull();
    expect(derEcdsaSignatureToRaw(sequence(integer(...new Array(33).fill(1)), integer(3, 4)), 32)).toBeNull();
  });
});

describe('COSE public keys', () => {
  const key = (entries: [number, EncodableCbor][]) => decodeCosePublicKey(encodeCbor(new Map(entries)));
  const x = new Uint8Array(32).fill(7);

  it('reads an ES256 key as a P-256 JWK', () => {
    expect(
      key([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, x],
        [-3, x],
      ]),
    ).toMatchObject({ algorithm: -7, jwk: { kty: 'EC', crv: 'P-256' } });
  });

  it('refuses a key whose type does not fit its algorithm', () => {
    expect(
      key([
        [1, 1],
        [3, -7],
        [-1, 6],
        [-2, x],
      ]),
    ).toBeNull();
    expect(
      key([
        [1, 2],
        [3, -8],
        [-1, 1],
        [-2, x],
        [-3, x],
      ]),
    ).toBeNull();
  });

  it('refuses another curve, and any key that carries a private part', () => {
    expect(
      key([
        [1, 2],
        [3, -7],
        [-1, 2],
        [-2, x],
        [-3, x],
      ]),
    ).toBeNull();
    expect(
      key([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, x],
        [-4, x],
      ]),
    ).toBeNull();
  });

  it('refuses RSA moduli shorter than 2048 bits', () => {
    const n = new Uint8Array(128).fill(0xc1);
    expect(
      key([
        [1, 3],
        [3, -257],
        [-1, n],
        [-2, bytes(1, 0, 1)],
      ]),
    ).toBeNull();
    const n2048 = new Uint8Array(256).fill(0xc1);
    expect(
      key([
        [1, 3],
        [3, -257],
        [-1, n2048],
        [-2, bytes(1, 0, 1)],
      ]),
    ).toMatchObject({ algorithm: -257 });
  });
});

describe('authenticator data', () => {
  const header = (flags: number, signCount = 7) => concat(new Uint8Array(32).fill(9), bytes(flags, 0, 0, 0, signCount));

  it('reads the flags and the counter of an assertion', () => {
    expect(parseAuthenticatorData(header(0x01 | 0x04 | 0x08))).toMatchObject({
      userPresent: true,
      userVerified: true,
      backupEligible: true,
      backedUp: false,
      signCount: 7,
      attestedCredential: null,
    });
  });

  it('reads extension data announced by the ED flag and refuses it when absent', () => {
    expect(parseAuthenticatorData(concat(header(0x85), encodeCbor(new Map([['credProtect', 2]]))))).not.toBeNull();
    expect(parseAuthenticatorData(header(0x85))).toBeNull();
  });

  it('refuses the AT flag without credential data, trailing bytes, and BS without BE', () => {
    expect(parseAuthenticatorData(header(0x45))).toBeNull();
    expect(parseAuthenticatorData(concat(header(0x05), bytes(0)))).toBeNull();
    expect(parseAuthenticatorData(header(0x15))).toBeNull();
    expect(parseAuthenticatorData(new Uint8Array(36))).toBeNull();
  });
});
