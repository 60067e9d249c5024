// The common-password list is a static asset (public/common-passwords.json, wrangler.toml
// [assets]) read through the ASSETS binding, not part of the bundle; without it no password passes.
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
