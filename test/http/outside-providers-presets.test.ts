// The presets, with the providers' HTTP exchanges intercepted on the worker's outbound fetch and
// shaped like their documentation: GitHub (OAuth 2 with its user and emails APIs), Apple (a client
// secret signed with the deployer's key, a form-POST callback, email_verified as a string),
// Microsoft's multi-tenant issuer, Google's discovery.
import { SignJWT, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { type Harness, createHarness, signedInUser } from '../support/harness';
import { createFakeIdentityProvider } from '../support/fake-identity-provider';
import { createOutsideBrowser } from '../support/outside-browser';

const ACCESS = '__Host-latchkey-access';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function me(harness: Harness, accessToken: string) {
  const response = await harness.request('/me', { token: accessToken });
  return (await response.json()) as {
    email: string;
    emailVerified: boolean;
    username: string;
    displayName: string | null;
  };
}

describe('the GitHub preset', () => {
  const GITHUB_TOKEN = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';

  /** GitHub's token endpoint and APIs; `emails` is what GET /user/emails answers. */
  function github(emails: { email: string; primary: boolean; verified: boolean }[]) {
    const seen: string[] = [];
    // A GitHub user id of its own per test: the database outlives a test.
    const githubId = crypto.getRandomValues(new Uint32Array(1))[0]!;
    const harness = createHarness({
      env: {
        OAUTH_PROVIDERS: 'github',
        OAUTH_GITHUB_CLIENT_ID: 'Iv1.gh-client',
        OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
      } as Partial<Env>,
      fetch: async (request) => {
        const url = new URL(request.url);
        seen.push(url.href);
        if (url.href === 'https://github.com/login/oauth/access_token') {
          const body = new URLSearchParams(await request.text());
          const valid =
            body.get('client_id') === 'Iv1.gh-client' &&
            body.get('client_secret') === 'gh-secret' &&
            body.get('code') === 'gh-code' &&
            Boolean(body.get('code_verifier'));
          if (!valid) return json({ error: 'bad_verification_code', error_description: 'The code is incorrect.' }, 400);
          // docs.github.com, "Authorizing OAuth apps", step 2, with Accept: application/json.
          return json({ access_token: GITHUB_TOKEN, scope: 'read:user,user:email', token_type: 'bearer' });
        }
        if (request.headers.get('authorization') !== `Bearer ${GITHUB_TOKEN}`) return json({}, 401);
        if (url.href === 'https://api.github.com/user') {
          return json({ login: 'Octo-Cat', id: githubId, name: 'The Octocat', email: null });
        }
        if (url.href === 'https://api.github.com/user/emails') {
          return json(emails.map((entry) => ({ ...entry, visibility: 'private' })));
        }
        return json({ message: 'Not Found' }, 404);
      },
    });
    return { harness, seen };
  }

  async function callbackFor(harness: Harness, code = 'gh-code') {
    const browser = createOutsideBrowser(harness);
    const authorizationUrl = new URL(await browser.start('github'));
    const state = authorizationUrl.searchParams.get('state')!;
    const response = await browser.get(`/auth/oauth/github/callback?code=${code}&state=${state}`);
    return { browser, authorizationUrl, response };
  }

  it('signs up with the primary address GitHub verified, its numeric id as the subject', async () => {
    const email = `octo.${crypto.randomUUID().slice(0, 8)}@example.com`;
    const { harness, seen } = github([
      { email: 'other@example.com', primary: false, verified: true },
      { email, primary: true, verified: true },
    ]);
    const { browser, authorizationUrl, response } = await callbackFor(harness);
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(authorizationUrl.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(response.status).toBe(303);
    const user = await me(harness, browser.cookies.get(ACCESS)!);
    expect(user).toMatchObject({ email, emailVerified: true });
    expect(user.username).toMatch(/^octo-cat/);
    expect(seen).toEqual([
      'https://github.com/login/oauth/access_token',
      'https://api.github.com/user',
      'https://api.github.com/user/emails',
    ]);
  });

  it('never links on a primary address GitHub has not verified', async () => {
    const emails: { email: string; primary: boolean; verified: boolean }[] = [];
    const { harness } = github(emails);
    const { identity } = await signedInUser(harness, 'ghvictim');
    emails.push({ email: identity.email, primary: true, verified: false });
    const { browser, response } = await callbackFor(harness);
    expect(response.status).toBe(409);
    expect(browser.cookies.has(ACCESS)).toBe(false);
  });

  it('answers a page when GitHub refuses the code', async () => {
    const { harness } = github([]);
    const { response } = await callbackFor(harness, 'wrong');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});

describe('the Apple preset', () => {
  it('signs its client secret, takes the form-POST callback and reads email_verified "true"', async () => {
    const appleKey = await generateKeyPair('ES256', { extractable: true });
    const idTokenKey = await generateKeyPair('RS256');
    const email = `${crypto.randomUUID().slice(0, 8)}@privaterelay.appleid.com`;
    let nonce = '';
    let clientSecretClaims: Record<string, unknown> = {};
    const harness = createHarness({
      env: {
        OAUTH_PROVIDERS: 'apple',
        OAUTH_APPLE_CLIENT_ID: 'com.example.web',
        OAUTH_APPLE_TEAM_ID: 'TEAM123456',
        OAUTH_APPLE_KEY_ID: 'KEY1234567',
        // As a deployer stores a multi-line secret in one line.
        OAUTH_APPLE_PRIVATE_KEY: (await exportPKCS8(appleKey.privateKey)).replace(/\n/g, '\\n'),
      } as Partial<Env>,
      fetch: async (request) => {
        const url = new URL(request.url);
        if (url.href === 'https://appleid.apple.com/.well-known/openid-configuration') {
          // developer.apple.com, "Sign in with Apple REST API": the published discovery document.
          return json({
            issuer: 'https://appleid.apple.com',
            authorization_endpoint: 'https://appleid.apple.com/auth/authorize',
            token_endpoint: 'https://appleid.apple.com/auth/token',
            revocation_endpoint: 'https://appleid.apple.com/auth/revoke',
            jwks_uri: 'https://appleid.apple.com/auth/keys',
            response_types_supported: ['code'],
            response_modes_supported: ['query', 'fragment', 'form_post'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            scopes_supported: ['openid', 'email', 'name'],
            token_endpoint_auth_methods_supported: ['client_secret_post'],
          });
        }
        if (url.href === 'https://appleid.apple.com/auth/token') {
          const body = new URLSearchParams(await request.text());
          const { payload, protectedHeader } = await jwtVerify(body.get('client_secret') ?? '', appleKey.publicKey, {
            algorithms: ['ES256'],
          });
          clientSecretClaims = { ...payload, kid: protectedHeader.kid };
          if (body.get('code') !== 'apple-code' || body.get('client_id') !== 'com.example.web') {
            return json({ error: 'invalid_grant' }, 400);
          }
          const now = Math.floor(Date.now() / 1000);
          const idToken = await new SignJWT({
            email,
            email_verified: 'true',
            is_private_email: 'true',
            nonce,
            nonce_supported: true,
          })
            .setProtectedHeader({ alg: 'RS256', kid: 'apple-key' })
            .setIssuer('https://appleid.apple.com')
            .setAudience('com.example.web')
            .setSubject('001234.abcdef0123456789.1234')
            .setIssuedAt(now)
            .setExpirationTime(now + 600)
            .sign(idTokenKey.privateKey);
          return json({
            access_token: 'a1b2',
            token_type: 'Bearer',
            expires_in: 3600,
            refresh_token: 'r1',
            id_token: idToken,
          });
        }
        return json({}, 404);
      },
    });
    const browser = createOutsideBrowser(harness);
    const authorizationUrl = new URL(await browser.start('apple'));
    expect(authorizationUrl.searchParams.get('response_mode')).toBe('form_post');
    nonce = authorizationUrl.searchParams.get('nonce')!;
    // Apple posts the callback from its own site.
    const callback = await browser.get('/auth/oauth/apple/callback', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://appleid.apple.com',
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams({
        code: 'apple-code',
        state: authorizationUrl.searchParams.get('state')!,
        user: JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email }),
      }).toString(),
    });
    expect(callback.status).toBe(303);
    expect(await me(harness, browser.cookies.get(ACCESS)!)).toMatchObject({
      email,
      emailVerified: true,
      displayName: 'Ada Lovelace',
    });
    expect(clientSecretClaims).toMatchObject({
      iss: 'TEAM123456',
      sub: 'com.example.web',
      aud: 'https://appleid.apple.com',
      kid: 'KEY1234567',
    });
  });

  it('fails closed at start-up without the key settings', async () => {
    const harness = createHarness({
      env: { OAUTH_PROVIDERS: 'apple', OAUTH_APPLE_CLIENT_ID: 'com.example.web' } as Partial<Env>,
    });
    const page = await harness.request('/signin');
    expect(page.status).toBe(500);
    const logged = harness.logs.find((line) => line.includes('config.invalid'))!;
    expect(logged).toContain('OAUTH_APPLE_PRIVATE_KEY is required');
    expect(logged).toContain('OAUTH_APPLE_TEAM_ID is required');
  });
});

describe('the Microsoft preset', () => {
  const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

  async function microsoft() {
    const idp = await createFakeIdentityProvider({
      issuer: 'https://login.microsoftonline.com/common/v2.0',
      discoveryIssuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
    });
    const env = {
      OAUTH_PROVIDERS: 'microsoft',
      OAUTH_MICROSOFT_CLIENT_ID: 'latchkey-client',
      OAUTH_MICROSOFT_CLIENT_SECRET: 'client-secret-for-tests',
    };
    return { idp, harness: createHarness({ env: env as Partial<Env>, fetch: (request) => idp.fetch(request) }) };
  }

  it("checks a multi-tenant ID token's issuer against its own tenant", async () => {
    const { idp, harness } = await microsoft();
    const claims = { sub: 'ms-sub', email: `${crypto.randomUUID().slice(0, 8)}@contoso.example`, email_verified: true };
    const browser = createOutsideBrowser(harness);
    const start = await browser.start('microsoft');
    expect(start.startsWith('https://login.microsoftonline.com/common/v2.0/authorize?')).toBe(true);
    const signedIn = await browser.get(
      await idp.approve(start, claims, { iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT }),
    );
    expect(signedIn.status).toBe(303);

    const other = createOutsideBrowser(harness);
    const forged = await other.get(
      await idp.approve(await other.start('microsoft'), claims, {
        iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0',
        tid: TENANT,
      }),
    );
    expect(forged.status).toBe(502);
  });
});

describe('the Google preset', () => {
  it("discovers Google's endpoints from accounts.google.com", async () => {
    const idp = await createFakeIdentityProvider({ issuer: 'https://accounts.google.com' });
    const harness = createHarness({
      env: {
        OAUTH_PROVIDERS: 'google',
        OAUTH_GOOGLE_CLIENT_ID: 'latchkey-client',
        OAUTH_GOOGLE_CLIENT_SECRET: 'client-secret-for-tests',
      } as Partial<Env>,
      fetch: (request) => idp.fetch(request),
    });
    const browser = createOutsideBrowser(harness);
    const start = await browser.start('google');
    expect(start.startsWith('https://accounts.google.com/authorize?')).toBe(true);
    const claims = { sub: '1098', email: `${crypto.randomUUID().slice(0, 8)}@gmail.example`, email_verified: true };
    expect((await browser.get(await idp.approve(start, claims))).status).toBe(303);
    expect((await harness.request('/signin')).status).toBe(200);
    expect(await (await harness.request('/signin')).text()).toContain('Continue with Google');
  });
});
