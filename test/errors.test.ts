import { env } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createHarness, signedInUser } from './support/harness';

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:latchkey:problem:${code}` });
  expect(typeof body['title']).toBe('string');
  expect(typeof body['detail']).toBe('string');
  return body;
}

describe('problem responses', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"identifier":',
    });
    await expectProblem(response, 400, 'invalid_json');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'identifier=a&password=b',
    });
    await expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers a declared oversized body with 413 payload_too_large', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: { username: 'big', email: 'big@example.com', password: 'x'.repeat(20_000) },
    });
    await expectProblem(response, 413, 'payload_too_large');
  });

  it('answers a chunked oversized body with 413 payload_too_large', async () => {
    const harness = createHarness();
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await harness.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body,
    });
    await expectProblem(response, 413, 'payload_too_large');
  });

  it('answers an unknown route with 404 not_found', async () => {
    await expectProblem(await createHarness().request('/no/such/route'), 404, 'not_found');
  });

  it('answers a known route with the wrong method with 405 and an Allow header', async () => {
    const response = await createHarness().request('/auth/login', { method: 'GET' });
    await expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('refuses unknown fields so nothing can be mass-assigned', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: {
        username: 'mass_assign',
        email: 'mass@example.com',
        password: 'correct horse battery',
        emailVerified: true,
      },
    });
    await expectProblem(response, 400, 'validation_failed');
  });

  it('answers an unexpected failure with a generic 500 and logs no SQL or parameters', async () => {
    const failing = {
      prepare() {
        throw new Error(
          "D1_ERROR: no such table: users: SQLITE_ERROR; params: ['secret@example.com', '$pbkdf2-sha256$...']",
        );
      },
      batch() {
        throw new Error('D1_ERROR');
      },
    } as unknown as D1Database;
    const harness = createHarness({ env: { DB: failing } });
    const response = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: 'secret@example.com', password: 'correct horse battery' },
    });
    const body = await expectProblem(response, 500, 'internal');
    expect(JSON.stringify(body)).not.toMatch(/D1|SQL|secret|pbkdf2/);
    const logged = harness.logs.join('\n');
    expect(logged).toContain('request.failed');
    expect(logged).not.toMatch(/SQL|secret@example\.com|pbkdf2/);
  });
});

describe('configuration', () => {
  it('fails closed with a 500 and one clear log line when the signing key is missing in production', async () => {
    const harness = createHarness({
      env: {
        ENVIRONMENT: 'production',
        APP_URL: 'https://auth.example',
        MAIL_PROVIDER: 'resend',
        MAIL_FROM: 'Latchkey <auth@example.com>',
        RESEND_API_KEY: 're_test',
        JWT_PRIVATE_JWK: '',
      },
    });
    const response = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: 'someone', password: 'correct horse battery' },
    });
    await expectProblem(response, 500, 'internal');
    expect(harness.logs).toHaveLength(1);
    expect(harness.logs[0]).toContain('JWT_PRIVATE_JWK');
  });

  it('names a malformed key without logging its value', async () => {
    const harness = createHarness({ env: { JWT_PRIVATE_JWK: '{"kty":"EC","crv":"P-256","d":"sekrit-value"}' } });
    const response = await harness.request('/me');
    expect(response.status).toBe(500);
    expect(harness.logs.join('\n')).toContain('JWT_PRIVATE_JWK');
    expect(harness.logs.join('\n')).not.toContain('sekrit-value');
  });

  it('refuses console mail in production', async () => {
    const harness = createHarness({ env: { ENVIRONMENT: 'production', APP_URL: 'https://auth.example' } });
    expect((await harness.request('/health')).status).toBe(500);
    expect(harness.logs.join('\n')).toContain('MAIL_PROVIDER');
  });

  it('hides the development mailbox outside development', async () => {
    const harness = createHarness({
      env: {
        ENVIRONMENT: 'production',
        APP_URL: 'https://auth.example',
        MAIL_PROVIDER: 'resend',
        MAIL_FROM: 'auth@example.com',
        RESEND_API_KEY: 're_test',
      },
    });
    expect((await harness.request('/dev/mailbox')).status).toBe(404);
    expect((await createHarness().request('/dev/mailbox')).status).toBe(200);
  });
});

describe('signing keys', () => {
  it('publishes the current public key, without its private part, at the JWKS endpoint', async () => {
    const response = await createHarness().request('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    const current = JSON.parse(env.JWT_PRIVATE_JWK!) as { kid: string };
    // Beside it, the OpenID Provider's RS256 key (docs/openid-provider.md).
    expect(jwks.keys.map((key) => key.alg)).toEqual(['ES256', 'RS256']);
    expect(jwks.keys[0]).toMatchObject({ kid: current.kid, kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('signs access tokens as ES256 at+jwt with kid, issuer, audience, subject and session', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const header = decodeProtectedHeader(tokens.accessToken);
    const payload = decodeJwt(tokens.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: 'latchkey',
      aud: 'latchkey',
      sub: tokens.user.id,
      sid: expect.any(String),
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('refuses a token whose algorithm was switched to none', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const [, payload] = tokens.accessToken.split('.');
    const forged = `${btoa(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).replace(/=+$/, '')}.${payload}.`;
    expect((await harness.request('/me', { token: forged })).status).toBe(401);
  });
});
