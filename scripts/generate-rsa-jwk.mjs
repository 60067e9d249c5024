// Generates the OpenID Provider's RS256 ID-token key as a private JWK with a kid, for
// OIDC_RSA_PRIVATE_JWK. Usage: node scripts/generate-rsa-jwk.mjs   (prints one line of JSON)
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export async function generateRsaSigningJwk() {
  const { privateKey } = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const { kty, n, e, d, p, q, dp, dq, qi } = await webcrypto.subtle.exportKey('jwk', privateKey);
  const kid = `rsa-${new Date().toISOString().slice(0, 10)}-${webcrypto.randomUUID().slice(0, 8)}`;
  return { kty, n, e, d, p, q, dp, dq, qi, kid, alg: 'RS256', use: 'sig' };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await generateRsaSigningJwk()));
}
