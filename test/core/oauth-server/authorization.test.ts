// The OpenID Provider's rules as plain function calls over memory storage: which redirect URIs a
// client may register, which authorization requests are refused without a redirect, and when a
// person must sign in again.
import { describe, expect, it } from 'vitest';
import { checkAuthorizationRequest, needsSignIn } from '../../../src/core/oauth-server/authorization';
import { redirectUriProblem, registerClient } from '../../../src/core/oauth-server/clients';
import type { Session } from '../../../src/core/sessions/sessions';
import { createCoreServices } from '../../support/core-services';

describe('redirect URIs', () => {
  it('accepts https anywhere and http only on loopback hosts', () => {
    for (const uri of [
      'https://app.example/cb',
      'http://localhost:3000/cb',
      'http://app.localhost/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:8080/cb',
    ]) {
      expect(redirectUriProblem(uri)).toBeNull();
    }
  });

  it('refuses http elsewhere, relative URIs, fragments, credentials and other schemes', () => {
    for (const uri of [
      'http://app.example/cb',
      '/cb',
      'https://app.example/cb#x',
      'https://u:p@app.example/cb',
      'javascript:alert(1)',
      'http://localhost.evil.example/cb',
    ]) {
      expect(redirectUriProblem(uri)).not.toBeNull();
    }
  });
});

describe('authorization requests', () => {
  async function withClient() {
    const fixture = createCoreServices();
    const { client } = await registerClient(fixture.services, {
      name: 'App',
      redirectUris: ['https://app.example/cb'],
    });
    const base = {
      client_id: client.clientId,
      redirect_uri: 'https://app.example/cb',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    };
    return { fixture, base };
  }

  it('refuses without a redirect while the client or its redirect URI is wrong', async () => {
    const { fixture, base } = await withClient();
    for (const params of [
      { ...base, client_id: 'unknown' },
      { ...base, redirect_uri: 'https://app.example/cb/' },
      { ...base, redirect_uri: undefined },
    ]) {
      expect((await checkAuthorizationRequest(fixture.services, params)).status).toBe('refused');
    }
  });

  it('keeps only the scopes it knows', async () => {
    const { fixture, base } = await withClient();
    const checked = await checkAuthorizationRequest(fixture.services, { ...base, scope: 'email openid address' });
    expect(checked.status === 'valid' && checked.request.scopes).toEqual(['openid', 'email']);
  });
});

describe('needsSignIn', () => {
  const session = (createdAt: number) => ({ createdAt }) as Session;
  const request = (fields: { prompt?: string[]; maxAgeSeconds?: number; signedInAfter?: number }) =>
    ({
      prompt: new Set(fields.prompt ?? []),
      maxAgeSeconds: fields.maxAgeSeconds,
      signedInAfter: fields.signedInAfter,
    }) as never;

  it('asks a signed-out person, and one whose sign-in is older than max_age', () => {
    expect(needsSignIn(request({}), null, 1_000)).toBe(true);
    expect(needsSignIn(request({ maxAgeSeconds: 60 }), session(0), 61_000)).toBe(true);
    expect(needsSignIn(request({ maxAgeSeconds: 60 }), session(0), 59_000)).toBe(false);
  });

  it('asks again for prompt=login until the session is newer than the mark Latchkey set', () => {
    expect(needsSignIn(request({ prompt: ['login'] }), session(0), 1_000)).toBe(true);
    expect(needsSignIn(request({ prompt: ['login'], signedInAfter: 500 }), session(0), 1_000)).toBe(true);
    expect(needsSignIn(request({ prompt: ['login'], signedInAfter: 500 }), session(600), 1_000)).toBe(false);
  });
});
