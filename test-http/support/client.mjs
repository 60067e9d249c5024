// The behaviour suite's HTTP client: plain fetch against LATCHKEY_URL (a running `npm run dev` or
// `npm run dev:deno`; scripts/test-http.mjs starts one). The suite sees only the HTTP contract, so
// one file per behaviour runs against every runtime.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';

export const baseUrl = process.env.LATCHKEY_URL ?? 'http://localhost:8787';
export const password = 'correct horse battery staple';

/** A client of its own (CF-Connecting-IP, which development servers accept), so per-client limits do not leak between tests. */
export function newClient() {
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  return {
    ip,
    /** A request with a JSON body (when given) and a Bearer token (when given). */
    request(path, { method, json, token, headers = {}, body } = {}) {
      const all = { 'cf-connecting-ip': ip, ...headers };
      if (json !== undefined) all['content-type'] = 'application/json';
      if (token) all.authorization = `Bearer ${token}`;
      return fetch(`${baseUrl}${path}`, {
        method: method ?? (json !== undefined || body !== undefined ? 'POST' : 'GET'),
        headers: all,
        body: json !== undefined ? JSON.stringify(json) : body,
      });
    },
  };
}

/** A fresh username and address, so tests never share an account. */
export function newIdentity() {
  const name = `u${randomBytes(6).toString('hex')}`;
  return { username: name, email: `${name}@example.com`, password };
}

/**
 * The token of the newest mailed link to `email` whose path is `linkPath` (e.g. /verify-email).
 * Mail is sent after the response (waitUntil), so the mailbox is read until it arrives.
 */
export async function mailedToken(email, linkPath, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/dev/mailbox`);
    assert.equal(response.status, 200);
    const { messages } = await response.json();
    for (const message of messages) {
      if (message.to !== email) continue;
      const match = new RegExp(`${linkPath}\\?token=([A-Za-z0-9_-]+)`).exec(message.text);
      if (match) return match[1];
    }
    if (Date.now() > deadline) throw new Error(`no ${linkPath} mail to ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function expectProblem(response, status, code) {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = await response.json();
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  return problem;
}

/** Registers and verifies a new account; answers its identity. */
export async function verifiedAccount(client = newClient()) {
  const identity = newIdentity();
  const registered = await client.request('/auth/register', { json: identity });
  assert.equal(registered.status, 201);
  const token = await mailedToken(identity.email, '/verify-email');
  const verified = await client.request('/auth/verify-email', { json: { token } });
  assert.equal(verified.status, 200);
  return identity;
}

/** Signs in and answers the tokens body. */
export async function signIn(client, identity) {
  const response = await client.request('/auth/login', {
    json: { identifier: identity.username, password: identity.password },
  });
  assert.equal(response.status, 200);
  return response.json();
}
