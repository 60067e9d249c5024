// A strict decoder for the CBOR subset WebAuthn authenticators emit (CTAP2 canonical encoding):
// integers, byte and text strings, arrays, maps and the simple values false, true and null, with
// definite lengths only. Anything else (floats, tags, indefinite lengths, duplicate map keys,
// nesting deeper than a COSE key needs) is refused with null rather than guessed at.
// Hand-written rather than @oslojs/webauthn (which runs in workerd too): the whole passkey core
// here is 3.3 KB gzip, while that library's parsers alone add 7.9 KB, with a JS SHA-2 WebCrypto has.

export type CborValue = number | Uint8Array | string | boolean | null | CborValue[] | CborMap;
export type CborMap = Map<number | string, CborValue>;

const maxDepth = 8;
// Fatal: a text string that is not valid UTF-8 is refused, not patched with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes one item starting at `offset`; returns it with the offset just past it, or null. */
export function decodeCborItem(bytes: Uint8Array, offset = 0): { value: CborValue; end: number } | null {
  const reader = { bytes, offset };
  try {
    const value = readItem(reader, 0);
    return value === undefined ? null : { value, end: reader.offset };
  } catch {
    return null; // a read past the end of the input
  }
}

/** Decodes a buffer that must hold exactly one item. */
export function decodeCbor(bytes: Uint8Array): CborValue | undefined {
  const item = decodeCborItem(bytes);
  return item && item.end === bytes.length ? item.value : undefined;
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
}

function readByte(reader: Reader): number {
  const byte = reader.bytes[reader.offset++];
  if (byte === undefined) throw new RangeError('end of input');
  return byte;
}

function readArgument(reader: Reader, info: number): number | undefined {
  if (info < 24) return info;
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (size === 0) return undefined; // reserved or indefinite length
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + readByte(reader);
  return Number.isSafeInteger(value) ? value : undefined;
}

function readBytes(reader: Reader, length: number): Uint8Array {
  const end = reader.offset + length;
  if (end > reader.bytes.length) throw new RangeError('end of input');
  const slice = reader.bytes.slice(reader.offset, end);
  reader.offset = end;
  return slice;
}

function readItem(reader: Reader, depth: number): CborValue | undefined {
  if (depth > maxDepth) return undefined;
  const initial = readByte(reader);
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    return undefined;
  }
  const argument = readArgument(reader, info);
  if (argument === undefined) return undefined;
  switch (major) {
    case 0:
      return argument;
    case 1:
      return -1 - argument;
    case 2:
      return readBytes(reader, argument);
    case 3:
      try {
        return utf8.decode(readBytes(reader, argument));
      } catch {
        return undefined;
      }
    case 4: {
      const items: CborValue[] = [];
      for (let i = 0; i < argument; i++) {
        const item = readItem(reader, depth + 1);
        if (item === undefined) return undefined;
        items.push(item);
      }
      return items;
    }
    case 5: {
      const map: CborMap = new Map();
      for (let i = 0; i < argument; i++) {
        const key = readItem(reader, depth + 1);
        if ((typeof key !== 'number' && typeof key !== 'string') || map.has(key)) return undefined;
        const value = readItem(reader, depth + 1);
        if (value === undefined) return undefined;
        map.set(key, value);
      }
      return map;
    }
    default:
      return undefined; // tags (major 6)
  }
}
