// The `latchkey/verifier` module on its own: a stand-in for Latchkey's JWKS route whose key set
// the tests rotate, an injected clock, and the real KV binding for revocation markers, written by
// Latchkey's own publisher.
import { env } from 'cloudflare:workers';
import { type JWK, SignJWT, base64url } from 'jose';
import { LatchkeyUnavailableError, type RevocationReader, createLatchkeyVerifier } from 'latchkey/verifier';
import { describe, expect, it } from 'vitest';
import { createKvRevocationPublisher } from '../../../src/storage/kv-revocation-publisher';
import { TTL_SECONDS, forge, newSigningKey, tamper } from './tokens';

class TestClock {
  current = Date.now();
  now = () => this.current;
  advance(ms: number) {
    this.current += ms;
  }
}

/** Latchkey's JWKS route as a service binding: the test sets the keys and counts the fetches. */
function jwksBinding(keys: JWK[]) {
  const state = { keys, fetches: 0, status: 200, age: 0 };
  const binding = {
    fetch: async (url: string) => {
      expect(new URL(url).pathname).toBe('/.well-known/jwks.json');
      state.fetches += 1;
      return Response.json({ keys: state.keys }, { status: state.status, headers: { age: String(state.age) } });
    },
  };
  return { state, binding };
}

async function setUp(options: { revocations?: RevocationReader } = {}) {
  const current = await newSigningKey(`k-${crypto.randomUUID()}`);
  const { state, binding } = jwksBinding([current.publicJwk]);
  const clock = new TestClock();
  const verify = createLatchkeyVerifier({
    latchkey: binding,
    issuer: 'latchkey',
    audience: 'latchkey',
    now: clock.now,
    ...options,
  });
  const token = (overrides: Parameters<typeof forge>[1] = {}) =>
    forge(current.privateJwk, { iat: Math.floor(clock.now() / 1000), ...overrides });
  return { current, state, clock, verify, token };
}

describe('createLatchkeyVerifier', () => {
  it('accepts a valid token and reads its user, session and times', async () => {
    const { verify, token, clock } = await setUp();
    const iat = Math.floor(clock.now() / 1000);
    expect(await verify(await token({ sub: 'user-7', sid: 'session-7' }))).toEqual({
      userId: 'user-7',
      sessionId: 'session-7',
      issuedAt: iat,
      expiresAt: iat + TTL_SECONDS,
    });
  });

  it('refuses a token once it has expired', async () => {
    const { verify, token, clock } = await setUp();
    const issued = await token();
    clock.advance(TTL_SECONDS * 1000);
    expect(await verify(issued)).toBeNull();
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const { verify, token } = await setUp();
    expect(await verify(tamper(await token(), { sub: 'someone-else' }))).toBeNull();
  });

  it('refuses a token signed with a key the JWKS does not publish', async () => {
    const { verify } = await setUp();
    const stranger = await newSigningKey('k-stranger');
    expect(await verify(await forge(stranger.privateJwk))).toBeNull();
  });

  it("refuses a token signed with the published key's kid but with a key of its own", async () => {
    const { verify, current } = await setUp();
    const stranger = await newSigningKey('k-stranger');
    expect(await verify(await forge(stranger.privateJwk, { kid: current.publicJwk.kid }))).toBeNull();
  });

  it('refuses a token signed with another algorithm (HS256 over the public key, or none)', async () => {
    const { verify, current } = await setUp();
    const claims = { sub: 'user-1', sid: 'session-1', iss: 'latchkey', aud: 'latchkey', jti: 'j' };
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: current.publicJwk.kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(current.publicJwk)));
    expect(await verify(hs256)).toBeNull();
    const now = Math.floor(Date.now() / 1000);
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: current.publicJwk.kid }));
    const payload = base64url.encode(JSON.stringify({ ...claims, iat: now, exp: now + 300 }));
    expect(await verify(`${header}.${payload}.`)).toBeNull();
  });

  it('refuses a token of another type, issuer or audience', async () => {
    const { verify, token } = await setUp();
    expect(await verify(await token({ typ: 'JWT' }))).toBeNull();
    expect(await verify(await token({ iss: 'someone-else' }))).toBeNull();
    expect(await verify(await token({ aud: 'billing' }))).toBeNull();
  });

  it('throws LatchkeyUnavailableError, not a refusal, when the JWKS cannot be fetched', async () => {
    const { verify, token, state } = await setUp();
    state.status = 503;
    await expect(verify(await token())).rejects.toBeInstanceOf(LatchkeyUnavailableError);
  });

  it('refuses to be built without an issuer, an audience, or a binding or https URL', () => {
    const base = { issuer: 'latchkey', audience: 'latchkey' };
    expect(() => createLatchkeyVerifier(base)).toThrow();
    expect(() => createLatchkeyVerifier({ ...base, jwksUrl: 'http://auth.example/.well-known/jwks.json' })).toThrow();
    expect(() => createLatchkeyVerifier({ ...base, issuer: '', jwksUrl: 'https://auth.example/jwks' })).toThrow();
  });
});

describe('the key cache', () => {
  it('fetches the key set once for many tokens', async () => {
    const { verify, token, state } = await setUp();
    for (let i = 0; i < 3; i += 1) expect(await verify(await token())).not.toBeNull();
    expect(state.fetches).toBe(1);
  });

  it('accepts a token of the next key without a refetch once the next key is published', async () => {
    const { verify, token, state, current } = await setUp();
    const next = await newSigningKey('k-next');
    state.keys = [current.publicJwk, next.publicJwk];
    expect(await verify(await token())).not.toBeNull();
    // Latchkey switches to the next key: the verifier already holds it.
    expect(await verify(await forge(next.privateJwk))).not.toBeNull();
    expect(state.fetches).toBe(1);
  });

  it('refetches on an unknown kid at most once per floor', async () => {
    const { verify, token, state, clock, current } = await setUp();
    expect(await verify(await token())).not.toBeNull();
    const unannounced = await newSigningKey('k-unannounced');
    state.keys = [unannounced.publicJwk, current.publicJwk];

    clock.advance(29_000);
    expect(await verify(await forge(unannounced.privateJwk))).toBeNull();
    expect(await verify(await forge(unannounced.privateJwk, { kid: 'k-made-up' }))).toBeNull();
    expect(state.fetches).toBe(1);

    clock.advance(1_000);
    expect(await verify(await forge(unannounced.privateJwk))).not.toBeNull();
    expect(state.fetches).toBe(2);
    expect(await verify(await forge(unannounced.privateJwk, { kid: 'k-made-up' }))).toBeNull();
    expect(state.fetches).toBe(2);
  });

  it('refetches once its copy is older than the max-age, and drops a withdrawn key', async () => {
    const { verify, token, state, clock } = await setUp();
    const issued = await token();
    expect(await verify(issued)).not.toBeNull();
    state.keys = [(await newSigningKey('k-replacement')).publicJwk];
    clock.advance(299_000);
    expect(await verify(issued)).not.toBeNull();
    clock.advance(1_000);
    expect(await verify(issued)).toBeNull();
    expect(state.fetches).toBe(2);
  });

  it('counts the age of a copy served by an HTTP cache against the max-age', async () => {
    const { verify, token, state, clock } = await setUp();
    state.age = 290;
    expect(await verify(await token())).not.toBeNull();
    clock.advance(10_000);
    expect(await verify(await token())).not.toBeNull();
    expect(state.fetches).toBe(2);
  });

  it('shares one fetch between verifications that arrive together', async () => {
    const { verify, token, state } = await setUp();
    const tokens = await Promise.all([token(), token(), token()]);
    const results = await Promise.all(tokens.map((each) => verify(each)));
    expect(results.every(Boolean)).toBe(true);
    expect(state.fetches).toBe(1);
  });
});

describe('the revocation check', () => {
  // Latchkey's own writer, against the real KV namespace the example Worker binds.
  const publisher = createKvRevocationPublisher(env.LATCHKEY_REVOCATIONS!, { accessTokenTtlSeconds: TTL_SECONDS });
  const unique = () => crypto.randomUUID();

  it('refuses a token once its session is marked ended, and keeps accepting other sessions', async () => {
    const { verify, token, clock } = await setUp({ revocations: env.LATCHKEY_REVOCATIONS });
    const [ended, live] = [unique(), unique()];
    expect(await verify(await token({ sid: ended }))).not.toBeNull();
    await publisher.sessionEnded(ended, clock.now());
    expect(await verify(await token({ sid: ended }))).toBeNull();
    expect(await verify(await token({ sid: live }))).not.toBeNull();
  });

  it("refuses a user's tokens issued before the not-before time, including in its second", async () => {
    const { verify, token, clock } = await setUp({ revocations: env.LATCHKEY_REVOCATIONS });
    const userId = unique();
    const before = await token({ sub: userId, iat: Math.floor(clock.now() / 1000) - 60 });
    const sameSecond = await token({ sub: userId, iat: Math.floor(clock.now() / 1000) });
    clock.current = Math.floor(clock.now() / 1000) * 1000 + 500;
    await publisher.allSessionsEnded(userId, clock.now());
    expect(await verify(before)).toBeNull();
    expect(await verify(sameSecond)).toBeNull();
  });

  it("accepts a user's tokens issued after the not-before time", async () => {
    const { verify, token, clock } = await setUp({ revocations: env.LATCHKEY_REVOCATIONS });
    const userId = unique();
    await publisher.allSessionsEnded(userId, clock.now());
    clock.advance(1_000);
    expect(await verify(await token({ sub: userId }))).not.toBeNull();
    expect(await verify(await token({ sub: unique() }))).not.toBeNull();
  });

  it('does not read the markers for a token whose signature fails', async () => {
    const reads: string[] = [];
    const { verify, token } = await setUp({
      revocations: { get: async (key) => (reads.push(key), null) },
    });
    expect(await verify(tamper(await token(), { sub: 'someone-else' }))).toBeNull();
    expect(reads).toEqual([]);
  });

  it('throws LatchkeyUnavailableError when the markers cannot be read', async () => {
    const { verify, token } = await setUp({
      revocations: {
        get: async () => {
          throw new Error('KV unavailable');
        },
      },
    });
    await expect(verify(await token())).rejects.toBeInstanceOf(LatchkeyUnavailableError);
  });
});
