// The served OpenAPI document against the API's real answers: every flow's responses must be
// documented for their route and status, and their bodies must match the documented schemas.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, createApp } from '../src/app';
import { pageRoutes } from '../src/pages';
import type { OpenApiDocument } from '../src/http/openapi';
import { contractViolations } from './support/contract';
import {
  type Harness,
  type TokenBody,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from './support/harness';

let harness: Harness;
let document: OpenApiDocument;

/** Sends a request, checks the answer against the document, and returns it for further checks. */
async function call(method: string, path: string, init: Parameters<Harness['request']>[1] = {}) {
  const response = await harness.request(path, { ...init, method });
  expect(await contractViolations(document, method, path.split('?')[0]!, response)).toEqual([]);
  return response;
}

async function problemCode(response: Response) {
  return ((await response.json()) as { code: string }).code;
}

beforeAll(async () => {
  harness = createHarness();
  const response = await harness.request('/openapi.json');
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
});

describe('the API conforms to its OpenAPI document', () => {
  it('through register, verify, login, /me, refresh and logout', async () => {
    const identity = uniqueIdentity('contract');
    expect((await call('POST', '/auth/register', { json: identity })).status).toBe(201);
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    expect((await call('POST', '/auth/verify-email', { json: { token } })).status).toBe(200);
    const login = await call('POST', '/auth/login', { json: { email: identity.email, password: identity.password } });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as TokenBody;
    expect((await call('GET', '/me', { token: tokens.accessToken })).status).toBe(200);
    const refreshed = await call('POST', '/auth/refresh', { json: { refreshToken: tokens.refreshToken } });
    expect(refreshed.status).toBe(200);
    const { accessToken } = (await refreshed.json()) as TokenBody;
    expect((await call('POST', '/auth/logout', { token: accessToken })).status).toBe(204);
  });

  it('through forgot-password and reset-password', async () => {
    const { identity } = await signedInUser(harness, 'contract');
    expect((await call('POST', '/auth/forgot-password', { json: { email: identity.email } })).status).toBe(202);
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    const reset = await call('POST', '/auth/reset-password', { json: { token, password: 'a whole new passphrase' } });
    expect(reset.status).toBe(200);
  });

  it('for resend-verification, the JWKS and health', async () => {
    expect((await call('POST', '/auth/resend-verification', { json: { email: 'nobody@example.com' } })).status).toBe(
      202,
    );
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('for problems: 400, 401, 403, 404, 405, 409, 413 and 415', async () => {
    const invalid = await call('POST', '/auth/register', { json: { username: 'x' } });
    expect([invalid.status, await problemCode(invalid)]).toEqual([400, 'validation_failed']);

    const malformed = await call('POST', '/auth/login', { body: '{', headers: { 'content-type': 'application/json' } });
    expect([malformed.status, await problemCode(malformed)]).toEqual([400, 'invalid_json']);

    const badToken = await call('POST', '/auth/verify-email', { json: { token: 'not-a-real-token' } });
    expect([badToken.status, await problemCode(badToken)]).toEqual([400, 'invalid_token']);

    const { identity } = await signedInUser(harness, 'contract');
    const wrongPassword = await call('POST', '/login', {
      json: { identifier: identity.username, password: 'wrong password!' },
    });
    expect([wrongPassword.status, await problemCode(wrongPassword)]).toEqual([401, 'invalid_credentials']);

    const anonymous = await call('GET', '/me');
    expect([anonymous.status, await problemCode(anonymous)]).toEqual([401, 'unauthorized']);

    const unverified = uniqueIdentity('contract');
    await call('POST', '/user/register', { json: unverified });
    const early = await call('POST', '/auth/signin', {
      json: { username: unverified.username, password: unverified.password },
    });
    expect([early.status, await problemCode(early)]).toEqual([403, 'email_not_verified']);

    const missing = await call('GET', '/no/such/route');
    expect([missing.status, await problemCode(missing)]).toEqual([404, 'not_found']);

    const wrongMethod = await call('GET', '/auth/login');
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST']);

    const duplicate = await call('POST', '/auth/register', { json: identity });
    expect([duplicate.status, await problemCode(duplicate)]).toEqual([409, 'conflict']);

    const huge = await call('POST', '/auth/register', { json: { username: 'x'.repeat(MAX_BODY_BYTES) } });
    expect([huge.status, await problemCode(huge)]).toEqual([413, 'payload_too_large']);

    const plain = await call('POST', '/auth/login', { body: '{}', headers: { 'content-type': 'text/plain' } });
    expect([plain.status, await problemCode(plain)]).toEqual([415, 'unsupported_media_type']);
  });
});

describe('the OpenAPI document', () => {
  // Development-only routes answer 404 in production, so they are left out of the contract.
  // The browser pages (src/pages) are HTML for people, described in the README, not API routes.
  const pagePaths = new Set(pageRoutes.routes.map((route) => route.path));
  const undocumented = { test: (path: string) => path.startsWith('/dev/') || pagePaths.has(path) };

  it('documents every route the app serves, and no route it does not', () => {
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== 'ALL' && !undocumented.test(route.path))
        .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());
  });
});

describe('the contract check', () => {
  it('refuses a status the route does not document', async () => {
    const teapot = new Response(null, { status: 418 });
    expect(await contractViolations(document, 'GET', '/me', teapot)).toEqual([
      'GET /me 418: status 418 is not documented',
    ]);
  });

  it('refuses a body with a field the schema does not have', async () => {
    const leaky = Response.json({ status: 'ok', version: '1' });
    expect(await contractViolations(document, 'GET', '/health', leaky)).not.toEqual([]);
  });

  it('refuses a problem code the route does not document for that status', async () => {
    const body = {
      type: 'urn:latchkey:problem:conflict',
      title: 'Conflict',
      status: 400,
      detail: 'x',
      code: 'conflict',
    };
    const response = Response.json(body, { status: 400, headers: { 'content-type': 'application/problem+json' } });
    expect(await contractViolations(document, 'POST', '/auth/login', response)).not.toEqual([]);
  });
});
