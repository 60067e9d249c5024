// OAUTH_PROVIDERS and OAUTH_<ID>_*: what is read, and every problem named (never a value).
import { describe, expect, it } from 'vitest';
import { readOutsideProviderSettings } from '../../src/federation/provider-settings';

describe('readOutsideProviderSettings', () => {
  it('reads a generic provider, the presets and their defaults', () => {
    const result = readOutsideProviderSettings(
      {
        OAUTH_PROVIDERS: ' corp , github,microsoft',
        OAUTH_CORP_CLIENT_ID: 'id',
        OAUTH_CORP_CLIENT_SECRET: 'secret',
        OAUTH_CORP_ISSUER: 'https://login.corp.example',
        OAUTH_CORP_NAME: 'Corp SSO',
        OAUTH_GITHUB_CLIENT_ID: 'gh',
        OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
        OAUTH_MICROSOFT_CLIENT_ID: 'ms',
        OAUTH_MICROSOFT_CLIENT_SECRET: 'ms-secret',
      },
      'production',
    );
    expect(result).toMatchObject({
      ok: true,
      providers: [
        { kind: 'oidc', id: 'corp', name: 'Corp SSO', issuer: 'https://login.corp.example', allowHttp: false },
        { kind: 'github', id: 'github', name: 'GitHub' },
        { kind: 'oidc', id: 'microsoft', issuer: 'https://login.microsoftonline.com/common/v2.0', multiTenant: true },
      ],
    });
  });

  it('names every missing or malformed setting', () => {
    const result = readOutsideProviderSettings(
      {
        OAUTH_PROVIDERS: 'corp,Bad-Id,corp,apple',
        OAUTH_CORP_CLIENT_ID: 'id',
        OAUTH_CORP_ISSUER: 'http://login.corp.example',
        OAUTH_APPLE_CLIENT_ID: 'com.example',
        OAUTH_APPLE_PRIVATE_KEY: 'not a key',
      },
      'production',
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      'OAUTH_CORP_CLIENT_SECRET is required',
      'OAUTH_CORP_ISSUER must be an https URL without query or fragment',
      'OAUTH_PROVIDERS lists an id that is not 1 to 32 lowercase letters and digits',
      'OAUTH_PROVIDERS lists corp twice',
      'OAUTH_APPLE_PRIVATE_KEY must be the PKCS #8 key (.p8) Apple gave, in PEM',
      'OAUTH_APPLE_TEAM_ID is required',
      'OAUTH_APPLE_KEY_ID is required',
    ]);
    expect(problems.join(' ')).not.toContain('not a key');
  });

  it('allows a plain-http issuer in development only', () => {
    const env = {
      OAUTH_PROVIDERS: 'local',
      OAUTH_LOCAL_CLIENT_ID: 'id',
      OAUTH_LOCAL_CLIENT_SECRET: 'secret',
      OAUTH_LOCAL_ISSUER: 'http://localhost:9100',
    };
    expect(readOutsideProviderSettings(env, 'development')).toMatchObject({
      ok: true,
      providers: [{ allowHttp: true }],
    });
    expect(readOutsideProviderSettings(env, 'production').ok).toBe(false);
  });

  it('reads no provider when OAUTH_PROVIDERS is unset', () => {
    expect(readOutsideProviderSettings({}, 'production')).toEqual({ ok: true, providers: [] });
  });
});
