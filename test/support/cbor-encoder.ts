// A small CBOR encoder for the test authenticator: definite lengths, shortest argument form, map
// keys in insertion order (CTAP2 canonical order is the caller's job, as in a real authenticator).

export type EncodableCbor =
  number | string | Uint8Array | boolean | null | EncodableCbor[] | Map<number | string, EncodableCbor>;

export function encodeCbor(value: EncodableCbor): Uint8Array {
  const chunks: number[] = [];
  write(chunks, value);
  return new Uint8Array(chunks);
}

function writeHead(chunks: number[], major: number, argument: number) {
  const prefix = major << 5;
  if (argument < 24) chunks.push(prefix | argument);
  else if (argument < 0x100) chunks.push(prefix | 24, argument);
  else if (argument < 0x10000) chunks.push(prefix | 25, argument >> 8, argument & 0xff);
  else
    chunks.push(
      prefix | 26,
      (argument >>> 24) & 0xff,
      (argument >> 16) & 0xff,
      (argument >> 8) & 0xff,
      argument & 0xff,
    );
}

function write(chunks: number[], value: EncodableCbor) {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('the test encoder writes integers only');
    if (value >= 0) writeHead(chunks, 0, value);
    else writeHead(chunks, 1, -1 - value);
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    writeHead(chunks, 3, bytes.length);
    chunks.push(...bytes);
  } else if (value instanceof Uint8Array) {
    writeHead(chunks, 2, value.length);
    chunks.push(...value);
  } else if (value === false || value === true || value === null) {
    chunks.push(value === false ? 0xf4 : value === true ? 0xf5 : 0xf6);
  } else if (Array.isArray(value)) {
    writeHead(chunks, 4, value.length);
    for (const item of value) write(chunks, item);
  } else {
    writeHead(chunks, 5, value.size);
    for (const [key, item] of value) {
      write(chunks, key);
      write(chunks, item);
    }
  }
}
