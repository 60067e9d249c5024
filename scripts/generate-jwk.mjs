// Generates an ES256 signing key as a private JWK with a kid, for JWT_PRIVATE_JWK.
// Usage: node scripts/generate-jwk.mjs   (prints the JWK as one line of JSON)
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export async function generateSigningJwk() {
  const { privateKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const kid = `k-${new Date().toISOString().slice(0, 10)}-${webcrypto.randomUUID().slice(0, 8)}`;
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256', use: 'sig' };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await generateSigningJwk()));
}
