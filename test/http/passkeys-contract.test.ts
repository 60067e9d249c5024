// The passkey routes' real answers against the served OpenAPI document.
import { beforeAll, describe, expect, it } from 'vitest';
import { conformingRequests } from '../support/contract';
import { type Harness, type TokenBody, createHarness, signedInUser } from '../support/harness';
import { testAuthenticator } from '../support/passkeys';

let harness: Harness;
let call: Awaited<ReturnType<typeof conformingRequests>>;

beforeAll(async () => {
  harness = createHarness();
  call = await conformingRequests(harness);
});

describe('the passkey routes conform to the OpenAPI document', () => {
  it('through add, list, rename, sign in, refusals and remove', async () => {
    const { identity, tokens } = await signedInUser(harness, 'contract');
    const token = tokens.accessToken;
    const authenticator = testAuthenticator();
    const started = await call('POST', '/auth/passkeys/registration/options', {
      token,
      json: { password: identity.password },
    });
    const { challengeId, options } = (await started.json()) as {
      challengeId: string;
      options: Parameters<typeof authenticator.register>[0];
    };
    const credential = await authenticator.register(options);
    const added = await call('POST', '/auth/passkeys/registration/verify', {
      token,
      json: { challengeId, credential },
    });
    expect(added.status).toBe(201);
    const { passkey } = (await added.json()) as { passkey: { id: string } };
    expect((await call('GET', '/auth/passkeys', { token })).status).toBe(200);
    expect((await call('PATCH', `/auth/passkeys/${passkey.id}`, { token, json: { name: 'Phone' } })).status).toBe(200);

    const signIn = await call('POST', '/auth/passkeys/authentication/options', { json: {} });
    const request = (await signIn.json()) as {
      challengeId: string;
      options: Parameters<typeof authenticator.authenticate>[0];
    };
    const assertion = await authenticator.authenticate(request.options);
    const signedIn = await call('POST', '/auth/passkeys/authentication/verify', {
      json: { challengeId: request.challengeId, credential: assertion },
    });
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as TokenBody).user.username).toBe(identity.username);
    const replayed = await call('POST', '/auth/passkeys/authentication/verify', {
      json: { challengeId: request.challengeId, credential: assertion },
    });
    expect(replayed.status).toBe(400);

    const wrong = await call('DELETE', `/auth/passkeys/${passkey.id}`, { token, json: { password: 'nope nope' } });
    expect(wrong.status).toBe(401);
    expect(
      (await call('DELETE', `/auth/passkeys/${passkey.id}`, { token, json: { password: identity.password } })).status,
    ).toBe(204);
    expect(
      (await call('DELETE', `/auth/passkeys/${passkey.id}`, { token, json: { password: identity.password } })).status,
    ).toBe(404);
  });
});
