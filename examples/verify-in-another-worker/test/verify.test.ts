// The example Worker and the real Latchkey Worker, joined by a service binding and sharing one
// revocation namespace: tokens Latchkey issues are accepted; expired, tampered, mis-addressed and
// unknown-key tokens are refused, and so are tokens of sessions that ended.
import { env, exports } from 'cloudflare:workers';
import type { JWK } from 'jose';
import { createLatchkeyVerifier } from 'latchkey/verifier';
import { describe, expect, it } from 'vitest';
import { createKvRevocationPublisher } from '../../../src/storage/kv-revocation-publisher';
import { TTL_SECONDS, forge, newSigningKey, tamper } from './tokens';

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

/** The text of the mail to `email` mentioning `about`. Latchkey sends mail after answering (waitUntil), so poll. */
async function mailTo(email: string, about: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { messages } = (await (await latchkey('/dev/mailbox')).json()) as {
      messages: { to: string; text: string }[];
    };
    const mail = messages.find((message) => message.to === email && message.text.includes(about));
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
  const token = /token=([A-Za-z0-9_-]+)/.exec(await mailTo(identity.email, '/verify-email'))![1];
  expect((await latchkey('/auth/verify-email', { json: { token } })).status).toBe(200);
  const login = await latchkey('/auth/login', { json: { identifier: identity.username, password: identity.password } });
  expect(login.status).toBe(200);
  return { ...((await login.json()) as { accessToken: string; user: { id: string } }), identity };
}

function whoami(token?: string) {
  return exports.default.fetch('https://service.example/whoami', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
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
    expect((await whoami(tamper(accessToken, { sub: 'someone-else' }))).status).toBe(401);
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

  it('without the revocation check, keeps accepting a signed-out session until the token expires', async () => {
    const { accessToken } = await signIn();
    expect((await latchkey('/auth/logout', { method: 'POST', token: accessToken })).status).toBe(204);
    expect((await latchkey('/me', { token: accessToken })).status).toBe(401);
    expect(await verifierOverBinding()(accessToken)).not.toBeNull();
  });

  it("with the revocation check, refuses a session's token once Latchkey's marker for it is written", async () => {
    const { accessToken } = await signIn();
    const claims = (await verifierOverBinding()(accessToken))!;
    expect((await whoami(accessToken)).status).toBe(200);
    const publisher = createKvRevocationPublisher(env.LATCHKEY_REVOCATIONS!, { accessTokenTtlSeconds: TTL_SECONDS });
    await publisher.sessionEnded(claims.sessionId, Date.now());
    expect((await whoami(accessToken)).status).toBe(401);
  });
});

// These drive Latchkey's own flows end to end: ending a session in Latchkey writes a marker to
// the shared REVOCATIONS namespace (src/core/sessions/revocations.ts), which the example Worker reads.
describe('the example Worker after Latchkey ends sessions', () => {
  it('refuses a token after its session logs out', async () => {
    const { accessToken } = await signIn();
    expect((await whoami(accessToken)).status).toBe(200);
    expect((await latchkey('/auth/logout', { method: 'POST', token: accessToken })).status).toBe(204);
    expect((await whoami(accessToken)).status).toBe(401);
  });

  it('refuses every token of a user after logout everywhere', async () => {
    const { accessToken, identity } = await signIn();
    const other = await latchkey('/auth/login', {
      json: { identifier: identity.username, password: identity.password },
    });
    const { accessToken: otherToken } = (await other.json()) as { accessToken: string };
    expect((await latchkey('/auth/logout-all', { method: 'POST', token: accessToken })).status).toBe(204);
    expect((await whoami(accessToken)).status).toBe(401);
    expect((await whoami(otherToken)).status).toBe(401);
  });

  it("refuses a user's tokens after a password reset", async () => {
    const { accessToken, identity } = await signIn();
    expect((await latchkey('/auth/forgot-password', { json: { email: identity.email } })).status).toBe(202);
    const token = /token=([A-Za-z0-9_-]+)/.exec(await mailTo(identity.email, '/reset-password'))![1];
    const reset = await latchkey('/auth/reset-password', { json: { token, password: 'another horse battery' } });
    expect(reset.status).toBe(200);
    expect((await whoami(accessToken)).status).toBe(401);
  });
});
