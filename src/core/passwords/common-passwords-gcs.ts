// A Golomb-coded set (GCS, as in BIP-158): a sorted list of hashes, delta-encoded with Golomb-Rice
// codes, that answers "is this string in the set?" in about k + 1.6 bits per entry. It is
// probabilistic one way only: a member is always found, and a string that is not a member is
// reported as one with probability about 1 / 2^k (k = riceBits).
//
// Each entry's UTF-8 bytes are hashed to 32 bits (FNV-1a, then murmur3's fmix32 finalizer so every
// output bit depends on every input bit), and the hash is mapped onto [0, count * 2^k). This module
// has no imports, so the build script runs it as well as the worker; only the decoder is bundled.

/** Bumped whenever the hash, the mapping or the bit layout changes, so a stale module is refused. */
export const GCS_FORMAT_VERSION = 1;

/** The serialised set, as embedded in a generated module. */
export interface GolombCodedSet {
  format: number;
  /** Entries hashed (N); the hashes are mapped onto [0, N * 2^riceBits). */
  count: number;
  /** Bits of each remainder (k): the false-positive rate is about 1 / 2^k. */
  riceBits: number;
  /** The bit stream, most significant bit first, zero-padded to a whole byte, in base64. */
  data: string;
}

export interface DecodedGolombCodedSet {
  /** The mapped hashes, ascending. */
  readonly values: Uint32Array;
  has(entry: string): boolean;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a (32-bit) over the UTF-8 bytes, then fmix32: fast, synchronous and well mixed. */
function hashGcsEntry(entry: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(entry)) hash = Math.imul(hash ^ byte, FNV_PRIME);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** floor(hash * range / 2^32), exactly: the 64-bit product is split so no double loses a bit. */
function mapToRange(hash: number, range: number): number {
  const high = Math.floor(hash / 0x10000);
  const low = hash % 0x10000;
  return Math.floor((high * range + Math.floor((low * range) / 0x10000)) / 0x10000);
}

/** The hashes are 32 bits, so the range they are mapped onto cannot be wider. */
function rangeOf(count: number, riceBits: number): number {
  if (!Number.isInteger(riceBits) || riceBits < 1 || riceBits > 24) throw new RangeError('riceBits must be 1..24');
  const range = count * 2 ** riceBits;
  if (range > 2 ** 32) throw new RangeError('count * 2^riceBits must fit in 32 bits');
  return range;
}

/** Builds the set. Entries whose hashes collide are kept, as a delta of zero, so count stays N. */
export function encodeGolombCodedSet(entries: readonly string[], riceBits: number): GolombCodedSet {
  const range = rangeOf(entries.length, riceBits);
  const values = entries.map((entry) => mapToRange(hashGcsEntry(entry), range)).sort((a, b) => a - b);
  const bits: number[] = [];
  let previous = 0;
  for (const value of values) {
    const delta = value - previous;
    previous = value;
    // Unary quotient (ones, then a zero), then the remainder in riceBits bits.
    for (let quotient = Math.floor(delta / 2 ** riceBits); quotient > 0; quotient--) bits.push(1);
    bits.push(0);
    for (let bit = riceBits - 1; bit >= 0; bit--) bits.push((delta >>> bit) & 1);
  }
  let binary = '';
  for (let start = 0; start < bits.length; start += 8) {
    let byte = 0;
    for (let bit = 0; bit < 8; bit++) byte = (byte << 1) | (bits[start + bit] ?? 0);
    binary += String.fromCharCode(byte);
  }
  return { format: GCS_FORMAT_VERSION, count: entries.length, riceBits, data: btoa(binary) };
}

/**
 * Expands the set into its sorted hashes; membership is then a binary search. Only the format is
 * checked: the data is generated, and the tests compare it with a fresh build.
 */
export function decodeGolombCodedSet(set: GolombCodedSet): DecodedGolombCodedSet {
  if (set.format !== GCS_FORMAT_VERSION) throw new Error(`unsupported Golomb-coded set format ${set.format}`);
  const { count, riceBits } = set;
  const range = count * 2 ** riceBits;
  const bytes = atob(set.data);
  let position = 0;
  const readBit = (): number => {
    const bit = (bytes.charCodeAt(position >>> 3) >>> (7 - (position & 7))) & 1;
    position++;
    return bit;
  };
  const values = new Uint32Array(count);
  let previous = 0;
  for (let index = 0; index < count; index++) {
    let quotient = 0;
    while (readBit() === 1) quotient++;
    let remainder = 0;
    for (let bit = 0; bit < riceBits; bit++) remainder = remainder * 2 + readBit();
    previous += quotient * 2 ** riceBits + remainder;
    values[index] = previous;
  }
  return {
    values,
    has(entry) {
      const target = mapToRange(hashGcsEntry(entry), range);
      let low = 0;
      let high = values.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (values[middle]! < target) low = middle + 1;
        else high = middle;
      }
      return values[low] === target;
    },
  };
}
