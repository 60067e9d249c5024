import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createOriginCheck } from '../src/web/csrf';

const OWN = 'https://latchkey.test';

/** Runs the check on a POST to our own origin with the given headers. */
async function passes(check: ReturnType<typeof createOriginCheck>, headers: Record<string, string>) {
  const app = new Hono().post('/', (c) => c.text(check(c) ? 'allowed' : 'refused'));
  const response = await app.request(`${OWN}/`, { method: 'POST', headers });
  return (await response.text()) === 'allowed';
}

const apiCheck = createOriginCheck({ allowedOrigins: () => ['https://app.example'], withoutOriginHeaders: 'refuse' });
const pageCheck = createOriginCheck({ withoutOriginHeaders: 'allow' });

describe('origin check for state-changing requests', () => {
  it('allows a request from its own origin', async () => {
    expect(await passes(apiCheck, { origin: OWN })).toBe(true);
    expect(await passes(pageCheck, { origin: OWN })).toBe(true);
  });

  it('refuses an origin that is neither its own nor listed', async () => {
    expect(await passes(apiCheck, { origin: 'https://evil.example' })).toBe(false);
    expect(await passes(pageCheck, { origin: 'https://evil.example' })).toBe(false);
  });

  it('allows a listed origin only where the options list it', async () => {
    expect(await passes(apiCheck, { origin: 'https://app.example', 'sec-fetch-site': 'cross-site' })).toBe(true);
    expect(await passes(pageCheck, { origin: 'https://app.example', 'sec-fetch-site': 'cross-site' })).toBe(false);
  });

  it('lets the Origin header decide over Sec-Fetch-Site when it names an origin', async () => {
    expect(await passes(pageCheck, { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' })).toBe(false);
  });

  it('decides by Sec-Fetch-Site without an Origin header', async () => {
    expect(await passes(apiCheck, { 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(await passes(apiCheck, { 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(await passes(pageCheck, { 'sec-fetch-site': 'cross-site' })).toBe(false);
  });

  it('takes Origin: null as no proof: only Sec-Fetch-Site same-origin lets it through', async () => {
    expect(await passes(apiCheck, { origin: 'null' })).toBe(false);
    expect(await passes(pageCheck, { origin: 'null' })).toBe(false);
    expect(await passes(pageCheck, { origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe(true);
  });

  it('answers a request with neither header as configured', async () => {
    expect(await passes(apiCheck, {})).toBe(false);
    expect(await passes(pageCheck, {})).toBe(true);
  });

  it('refuses a configuration without an answer for missing headers', () => {
    expect(() => createOriginCheck({} as never)).toThrow(TypeError);
  });
});
