// Rotating the signing key without refusing good tokens: the next key is published before
// Latchkey signs with it, so a verifier holding a cached key set already knows its `kid`.
import { env } from 'cloudflare:workers';
import { type JWK, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config';
import { createLatchkeyVerifier } from '../src/verifier';
import { type Harness, createHarness, signedInUser } from './support/harness';

async function newSigningKey() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: `k-${crypto.randomUUID()}` };
  const { d: _secret, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

const current = () => JSON.parse(env.JWT_PRIVATE_JWK!) as JWK & { kid: string };
const publicPart = ({ d: _secret, ...jwk }: JWK) => jwk;

async function publishedKids(harness: Harness): Promise<string[]> {
  const response = await harness.request('/.well-known/jwks.json');
  const { keys } = (await response.json()) as { keys: JWK[] };
  for (const key of keys) expect(key).not.toHaveProperty('d');
  // The access-token keys; the OpenID Provider's RSA ID-token keys are published beside them.
  return keys.filter((key) => key.kty === 'EC').map((key) => key.kid!);
}

/** A verifier Worker whose service binding reaches `harness`, counting JWKS fetches. */
function verifierOf(harness: () => Harness) {
  const counts = { fetches: 0 };
  const verify = createLatchkeyVerifier({
    latchkey: {
      fetch: async (url) => {
        counts.fetches += 1;
        return harness().request(new URL(url).pathname);
      },
    },
    issuer: 'latchkey',
    audience: 'latchkey',
  });
  return { verify, counts };
}

describe('signing key rotation', () => {
  it('publishes the next public key beside the current one when JWT_NEXT_PUBLIC_JWK is set', async () => {
    const next = await newSigningKey();
    const harness = createHarness({ env: { JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk) } });
    expect(await publishedKids(harness)).toEqual([current().kid, next.publicJwk.kid]);
  });

  it('keeps signing with the current key while the next one is only published', async () => {
    const next = await newSigningKey();
    const harness = createHarness({ env: { JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk) } });
    const { tokens } = await signedInUser(harness);
    expect(decodeProtectedHeader(tokens.accessToken).kid).toBe(current().kid);
  });

  it('publishes current, next and previous keys together', async () => {
    const [next, previous] = await Promise.all([newSigningKey(), newSigningKey()]);
    const harness = createHarness({
      env: {
        JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk),
        JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(previous.publicJwk),
      },
    });
    expect(await publishedKids(harness)).toEqual([current().kid, next.publicJwk.kid, previous.publicJwk.kid]);
  });

  it('refuses a different key under a published kid', async () => {
    const impostor = { ...(await newSigningKey()).publicJwk, kid: current().kid };
    expect(() => readConfig({ ...env, JWT_NEXT_PUBLIC_JWK: JSON.stringify(impostor) })).toThrow(ConfigError);
    expect(() => readConfig({ ...env, JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(impostor) })).toThrow(ConfigError);
  });

  it('publishes a key once while it sits in two settings during the switch', async () => {
    const harness = createHarness({ env: { JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(publicPart(current())) } });
    expect(await publishedKids(harness)).toEqual([current().kid]);
  });

  it('lets a verifier that cached the key set before the switch accept tokens of the new key at once', async () => {
    const next = await newSigningKey();
    let latchkey = createHarness({ env: { JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk) } });
    const { verify, counts } = verifierOf(() => latchkey);
    const before = await signedInUser(latchkey);
    expect(await verify(before.tokens.accessToken)).not.toBeNull();

    // The switch, one secret at a time as README.md orders it: the old key becomes the previous
    // one, the next key signs, and JWT_NEXT_PUBLIC_JWK goes.
    const steps = [
      {
        JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk),
        JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(publicPart(current())),
      },
      {
        JWT_PRIVATE_JWK: JSON.stringify(next.privateJwk),
        JWT_NEXT_PUBLIC_JWK: JSON.stringify(next.publicJwk),
        JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(publicPart(current())),
      },
      {
        JWT_PRIVATE_JWK: JSON.stringify(next.privateJwk),
        JWT_PREVIOUS_PUBLIC_JWK: JSON.stringify(publicPart(current())),
      },
    ];
    for (const step of steps) {
      latchkey = createHarness({ env: step });
      // Every intermediate state publishes both keys once, so no verifier misses one.
      expect((await publishedKids(latchkey)).sort()).toEqual([current().kid, next.publicJwk.kid].sort());
    }
    const after = await signedInUser(latchkey);
    expect(decodeProtectedHeader(after.tokens.accessToken).kid).toBe(next.publicJwk.kid);
    expect(await verify(after.tokens.accessToken)).not.toBeNull();
    expect(await verify(before.tokens.accessToken)).not.toBeNull();
    expect(counts.fetches).toBe(1);
    // Latchkey itself accepts both as well.
    expect((await latchkey.request('/me', { token: before.tokens.accessToken })).status).toBe(200);
    expect((await latchkey.request('/me', { token: after.tokens.accessToken })).status).toBe(200);
  });
});
