// CORS through the worker: only a request that names an Origin is a cross-origin request; the rest
// get no CORS headers, but still `Vary: Origin`, since the answer would differ with one.
import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/harness';

describe('CORS', () => {
  it('sends no CORS headers to a request without an Origin, and still varies on Origin', async () => {
    const harness = createHarness({ env: { CORS_ORIGINS: 'https://app.example' } });
    const response = await harness.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('allows a listed Origin with credentials on a plain request, and no other', async () => {
    const harness = createHarness({ env: { CORS_ORIGINS: 'https://app.example' } });
    const listed = await harness.request('/health', { headers: { origin: 'https://app.example' } });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed.headers.get('vary')).toBe('Origin');
    const other = await harness.request('/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
