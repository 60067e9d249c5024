// The example Worker and the real Latchkey Worker, joined by a service binding: tokens Latchkey
// issues are accepted; expired, tampered, mis-addressed and unknown-key tokens are refused.
import { env, exports } from 'cloudflare:workers';
import { type JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createLatchkeyVerifier } from '../src/latchkey-verifier';

const TTL_SECONDS = 600;
let counter = 0;

function latchkey(path: string, init: RequestInit & { json?: unknown; token?: string } = {}) {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  if (token) headers.set('authorization', `Bearer ${token}`);
  return env.LATCHKEY.fetch(`https://latchkey.internal${path}`, {
    ...rest,
    headers,
    ...(json !== undefined && { method: 'POST', body: JSON.stringify(json) }),
  });
}

/** The text of the mail to `email`. Latchkey sends mail after answering (waitUntil), so poll. */
async function mailTo(email: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { messages } = (await (await latchkey('/dev/mailbox')).json()) as {
      messages: { to: string; text: string }[];
    };
    const mail = messages.find((message) => message.to === email);
    if (mail) return mail.text;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no mail to ${email}`);
}

/** Registers, verifies (through the dev mailbox) and signs in a new user on the real Latchkey. */
async function signIn() {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}`;
  const identity = { username: `ex_${suffix}`, email: `ex.${suffix}@example.com`, password: 'correct horse battery' };
  expect((await latchkey('/auth/register', { json: identity })).status).toBe(201);
  const token = /token=([A-Za-z0-9_-]+)/.exec(await mailTo(identity.email))![1];
  expect((await latchkey('/auth/verify-email', { json: { token } })).status).toBe(200);
  const login = await latchkey('/auth/login', { json: { identifier: identity.username, password: identity.password } });
  expect(login.status).toBe(200);
  return (await login.json()) as { accessToken: string; user: { id: string } };
}

function whoami(token?: string) {
  return exports.default.fetch('https://service.example/whoami', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** A token shaped like Latchkey's, with any part overridden, signed with `key`. */
async function forge(key: JWK, overrides: { typ?: string; aud?: string; iss?: string; kid?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: 'session-1' })
    .setProtectedHeader({ alg: 'ES256', typ: overrides.typ ?? 'at+jwt', kid: overrides.kid ?? key.kid! })
    .setIssuer(overrides.iss ?? 'latchkey')
    .setAudience(overrides.aud ?? 'latchkey')
    .setSubject('user-1')
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + TTL_SECONDS)
    .sign(await importJWK(key, 'ES256'));
}

async function newSigningKey(kid: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const { d: _secret, ...publicJwk } = jwk;
  return { privateJwk: jwk, publicJwk: { ...publicJwk, use: 'sig' } };
}

const latchkeyKey = () => JSON.parse(env.TEST_LATCHKEY_PRIVATE_JWK) as JWK;
const verifierOverBinding = (now?: () => number) =>
  createLatchkeyVerifier({ latchkey: env.LATCHKEY, issuer: 'latchkey', audience: 'latchkey', ...(now && { now }) });

describe('a Worker verifying Latchkey tokens through a service binding', () => {
  it('accepts an access token Latchkey issued, and reads its user', async () => {
    const { accessToken, user } = await signIn();
    const response = await whoami(accessToken);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: user.id });
  });

  it('refuses a request without a token, saying how to authenticate', async () => {
    const response = await whoami();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const { accessToken } = await signIn();
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const forgedPayload = btoa(JSON.stringify({ ...claims, sub: 'someone-else' }))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    expect((await whoami(`${header}.${forgedPayload}.${signature}`)).status).toBe(401);
  });

  it('refuses a token signed with a key Latchkey does not publish', async () => {
    const { privateJwk } = await newSigningKey('k-retired');
    expect((await whoami(await forge(privateJwk))).status).toBe(401);
  });

  it('refuses a token once it has expired', async () => {
    const { accessToken } = await signIn();
    expect(await verifierOverBinding()(accessToken)).not.toBeNull();
    const later = verifierOverBinding(() => Date.now() + (TTL_SECONDS + 1) * 1000);
    expect(await later(accessToken)).toBeNull();
  });

  it("refuses a token with Latchkey's signature but another audience, issuer or type", async () => {
    const verify = verifierOverBinding();
    expect(await verify(await forge(latchkeyKey()))).not.toBeNull();
    expect(await verify(await forge(latchkeyKey(), { aud: 'billing' }))).toBeNull();
    expect(await verify(await forge(latchkeyKey(), { iss: 'someone-else' }))).toBeNull();
    expect(await verify(await forge(latchkeyKey(), { typ: 'JWT' }))).toBeNull();
  });

  it('keeps accepting a signed-out session until the token expires; only Latchkey /me refuses it', async () => {
    const { accessToken } = await signIn();
    expect((await latchkey('/auth/logout', { method: 'POST', token: accessToken })).status).toBe(204);
    expect((await latchkey('/me', { token: accessToken })).status).toBe(401);
    expect((await whoami(accessToken)).status).toBe(200);
  });
});

describe('the verifier key cache', () => {
  /** A stand-in for the LATCHKEY binding whose key set the test rotates, counting fetches. */
  function rotatingLatchkey(keys: JWK[]) {
    const state = { keys, fetches: 0, status: 200 };
    const binding = {
      fetch: async () => {
        state.fetches += 1;
        return Response.json({ keys: state.keys }, { status: state.status });
      },
    } as unknown as Fetcher;
    return { state, binding };
  }

  it('fetches the key set once for many tokens', async () => {
    const current = await newSigningKey('k-current');
    const { state, binding } = rotatingLatchkey([current.publicJwk]);
    const verify = createLatchkeyVerifier({ latchkey: binding, issuer: 'latchkey', audience: 'latchkey' });
    for (let i = 0; i < 3; i += 1) expect(await verify(await forge(current.privateJwk))).not.toBeNull();
    expect(state.fetches).toBe(1);
  });

  it('accepts tokens of a newly rotated-in key without a restart, and still those of the previous key', async () => {
    const previous = await newSigningKey('k-previous');
    const next = await newSigningKey('k-next');
    const { state, binding } = rotatingLatchkey([previous.publicJwk]);
    const verify = createLatchkeyVerifier({
      latchkey: binding,
      issuer: 'latchkey',
      audience: 'latchkey',
      cooldownMs: 0,
    });
    expect(await verify(await forge(previous.privateJwk))).not.toBeNull();
    expect(await verify(await forge(next.privateJwk))).toBeNull();

    state.keys = [next.publicJwk, previous.publicJwk];
    expect(await verify(await forge(next.privateJwk))).not.toBeNull();
    expect(await verify(await forge(previous.privateJwk))).not.toBeNull();
  });

  it('throws instead of refusing the token when Latchkey cannot answer with keys', async () => {
    const current = await newSigningKey('k-current');
    const { state, binding } = rotatingLatchkey([current.publicJwk]);
    state.status = 503;
    const verify = createLatchkeyVerifier({ latchkey: binding, issuer: 'latchkey', audience: 'latchkey' });
    await expect(verify(await forge(current.privateJwk))).rejects.toThrow();
  });
});
