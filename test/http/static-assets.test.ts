// The static assets (public/, the Worker of wrangler.assets.toml, the ASSETS binding): the common-password
// list and the OpenAPI document are read from there, not bundled; without them nothing passes unchecked.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createHarness, uniqueIdentity } from '../support/harness';

describe('common-password list from the static assets', () => {
  it('refuses a common password at registration, read from the ASSETS binding', async () => {
    expect(env.ASSETS).toBeDefined();
    const harness = createHarness();
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: { ...uniqueIdentity(), password: 'iloveyou1' },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/too common/);
  });

  it('fails closed with 503 unavailable while the list cannot be read, then recovers', async () => {
    let served = false;
    const assets = {
      fetch: async (request: Request) => (served ? env.ASSETS!.fetch(request) : new Response('gone', { status: 404 })),
    } as unknown as Fetcher;
    const harness = createHarness({ env: { ASSETS: assets } });
    const identity = uniqueIdentity();
    const refused = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ code: 'unavailable' });
    expect(harness.logs.some((line) => line.includes('common_passwords.unavailable'))).toBe(true);

    served = true;
    const accepted = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(accepted.status).toBe(201);
  });
});

describe('OpenAPI document from the static assets', () => {
  it('serves public/openapi.json at /openapi.json with its cache lifetime', async () => {
    const response = await createHarness().request('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('answers 503 unavailable when the asset cannot be read', async () => {
    const assets = { fetch: async () => new Response('gone', { status: 404 }) } as unknown as Fetcher;
    const response = await createHarness({ env: { ASSETS: assets } }).request('/openapi.json');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'unavailable' });
  });
});
