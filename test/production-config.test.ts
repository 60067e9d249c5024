import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { createHarness } from './support/harness';

const production: Partial<Env> = {
  ENVIRONMENT: 'production',
  APP_URL: 'https://auth.example',
  MAIL_PROVIDER: 'resend',
  MAIL_FROM: 'Latchkey <auth@example.com>',
  RESEND_API_KEY: 're_test',
};

/** Expects the one configuration refusal: a 500 problem and one log line naming the setting. */
async function expectRefusal(env: Partial<Env>, setting: string) {
  const harness = createHarness({ env });
  const response = await harness.request('/health');
  expect(response.status).toBe(500);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ code: 'internal' });
  expect(harness.logs).toHaveLength(1);
  expect(JSON.parse(harness.logs[0]!)).toMatchObject({ level: 'error', event: 'config.invalid' });
  expect(harness.logs[0]).toContain(setting);
}

describe('production fails closed', () => {
  it('serves with both rate-limit bindings and https URLs', async () => {
    const harness = createHarness({
      env: { ...production, CORS_ORIGINS: 'https://app.example', RETURN_URL_ALLOWLIST: 'https://app.example/home' },
    });
    expect((await harness.request('/health')).status).toBe(200);
  });

  it('refuses to serve without the RATE_LIMIT_CREDENTIALS binding', async () => {
    await expectRefusal({ ...production, RATE_LIMIT_CREDENTIALS: undefined }, 'RATE_LIMIT_CREDENTIALS');
  });

  it('refuses to serve without DATA_ENCRYPTION_KEY, the key of the TOTP secrets', async () => {
    await expectRefusal({ ...production, DATA_ENCRYPTION_KEY: undefined }, 'DATA_ENCRYPTION_KEY');
  });

  it('refuses a DATA_ENCRYPTION_KEY that is not 32 bytes, without echoing it', async () => {
    const harness = createHarness({ env: { ...production, DATA_ENCRYPTION_KEY: 'too-short-key' } });
    expect((await harness.request('/health')).status).toBe(500);
    expect(harness.logs[0]).toContain('DATA_ENCRYPTION_KEY');
    expect(harness.logs[0]).not.toContain('too-short-key');
  });

  it('refuses to serve without the RATE_LIMIT_MAIL binding', async () => {
    await expectRefusal({ ...production, RATE_LIMIT_MAIL: undefined }, 'RATE_LIMIT_MAIL');
  });

  it('refuses an http:// APP_URL', async () => {
    await expectRefusal({ ...production, APP_URL: 'http://auth.example' }, 'APP_URL');
  });

  it('refuses an http:// origin in CORS_ORIGINS', async () => {
    await expectRefusal({ ...production, CORS_ORIGINS: 'https://app.example, http://app.example' }, 'CORS_ORIGINS');
  });

  it('refuses an http:// entry in RETURN_URL_ALLOWLIST', async () => {
    await expectRefusal({ ...production, RETURN_URL_ALLOWLIST: 'http://app.example/home' }, 'RETURN_URL_ALLOWLIST');
  });

  it('lets development run without rate-limit bindings and with http:// URLs', async () => {
    const harness = createHarness({
      env: {
        RATE_LIMIT_CREDENTIALS: undefined,
        RATE_LIMIT_MAIL: undefined,
        APP_URL: 'http://localhost:8787',
        CORS_ORIGINS: 'http://localhost:5173',
        RETURN_URL_ALLOWLIST: 'http://localhost:5173/',
      },
    });
    expect((await harness.request('/health')).status).toBe(200);
  });
});
