import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectProblem, newClient } from './support/client.mjs';
import { inFreshRateWindow } from './support/rate-window.mjs';

describe('the error catalogue', () => {
  it('answers invalid_json for a body that does not parse', async () => {
    const client = newClient();
    const response = await client.request('/auth/login', {
      body: '{"identifier":',
      headers: { 'content-type': 'application/json' },
    });
    await expectProblem(response, 400, 'invalid_json');
  });

  it('answers unsupported_media_type for a body that is not JSON', async () => {
    const client = newClient();
    const response = await client.request('/auth/login', {
      body: 'identifier=alice',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers payload_too_large for a body over 16 KiB', async () => {
    const client = newClient();
    const response = await client.request('/auth/register', {
      body: JSON.stringify({ username: 'x'.repeat(17 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    await expectProblem(response, 413, 'payload_too_large');
  });

  it('answers not_found for an unknown route, naming the route without a trailing slash', async () => {
    const client = newClient();
    await expectProblem(await client.request('/no-such-route'), 404, 'not_found');
    const problem = await expectProblem(await client.request('/me/'), 404, 'not_found');
    assert.match(problem.detail, /\/me\b/);
  });

  it('answers method_not_allowed with Allow for a known route', async () => {
    const client = newClient();
    const response = await client.request('/auth/login', { method: 'GET' });
    await expectProblem(response, 405, 'method_not_allowed');
    assert.match(response.headers.get('allow') ?? '', /POST/);
  });

  it('answers validation_failed for unknown fields', async () => {
    const client = newClient();
    const response = await client.request('/auth/login', {
      json: { identifier: 'alice', password: 'x'.repeat(10), admin: true },
    });
    await expectProblem(response, 400, 'validation_failed');
  });

  it('answers rate_limited with Retry-After once a client passes the login limit', async () => {
    await inFreshRateWindow();
    const client = newClient();
    const statuses = [];
    for (let attempt = 0; attempt < 21; attempt++) {
      const response = await client.request('/auth/login', {
        json: { identifier: `nobody${attempt}`, password: 'x'.repeat(10) },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        await expectProblem(response, 429, 'rate_limited');
        assert.ok(Number(response.headers.get('retry-after')) > 0);
      } else {
        await response.body?.cancel();
      }
    }
    assert.equal(statuses.at(-1), 429);
    assert.equal(statuses.filter((status) => status === 401).length, 20);
  });

  it('serves health, the OpenAPI document and the pages', async () => {
    const client = newClient();
    assert.deepEqual(await (await client.request('/health')).json(), { status: 'ok' });
    const openapi = await client.request('/openapi.json');
    assert.equal((await openapi.json()).openapi.startsWith('3.1'), true);
    for (const page of ['/signin', '/register', '/forgot-password']) {
      const response = await client.request(page, { headers: { accept: 'text/html' } });
      assert.equal(response.status, 200, page);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      await response.body?.cancel();
    }
  });
});
