// The outside sign-in flow on memory storage with a provider that answers what the test says:
// the callback is bound to the verifier and taken once, and what it proves ends at the one door.
import { describe, expect, it } from 'vitest';
import type { OutsideClaims, OutsideProvider } from '../../../src/core/identities/outside-provider';
import { finishOutsideSignIn, startOutsideSignIn } from '../../../src/core/identities/outside-sign-in';
import { createCoreServices, verifiedUser } from '../../support/core-services';

function scriptedProvider(claims: () => OutsideClaims): OutsideProvider {
  return {
    id: 'corp',
    name: 'Corp',
    authorizationUrl: async (request) => new URL(`https://idp.example/authorize?state=${request.state}`),
    complete: async () => ({ ok: true, claims: claims() }),
  };
}

function setUp(claims: () => OutsideClaims) {
  const provider = scriptedProvider(claims);
  return createCoreServices({
    outsideProviders: { list: () => [provider], find: (id) => (id === 'corp' ? provider : null) },
  });
}

async function callbackOf(fixture: ReturnType<typeof setUp>, linkUserId?: string) {
  const { url, browserKey } = await startOutsideSignIn(fixture.services, {
    provider: 'corp',
    redirectUri: 'https://app.example/auth/oauth/corp/callback',
    returnTo: null,
    ...(linkUserId ? { linkUserId } : {}),
  });
  return {
    browserKey,
    callback: new URLSearchParams({ code: 'c', state: url.searchParams.get('state')! }),
    redirectUri: 'https://app.example/auth/oauth/corp/callback',
    userAgent: 'test',
    provider: 'corp',
  };
}

describe('finishOutsideSignIn', () => {
  it('signs up once and signs in with amr fed', async () => {
    const fixture = setUp(() => ({
      subject: 's1',
      email: 'new@example.com',
      emailVerified: true,
      preferredUsername: 'newbie',
      name: null,
    }));
    const result = await finishOutsideSignIn(fixture.services, await callbackOf(fixture));
    expect(result.kind).toBe('signed_in');
    const user = await fixture.services.users.findByEmail('new@example.com');
    expect(user).toMatchObject({ username: 'newbie' });
    expect(user!.emailVerifiedAt).not.toBeNull();
    expect(fixture.events).toContainEqual(expect.objectContaining({ event: 'login.succeeded', method: 'oauth' }));
    // Webhooks and the activity trail hear of the new account and its identity.
    const recorded = [...fixture.storage.tables.events.values()].filter((event) => event.userId === user!.id);
    expect(recorded.map((event) => event.type)).toEqual(expect.arrayContaining(['user.created', 'identity.linked']));
  });

  it('refuses a callback without the browser verifier, and a second use of one', async () => {
    const fixture = setUp(() => ({
      subject: 's2',
      email: 'two@example.com',
      emailVerified: true,
      preferredUsername: null,
      name: null,
    }));
    const input = await callbackOf(fixture);
    expect(await finishOutsideSignIn(fixture.services, { ...input, browserKey: 'someone-elses' })).toMatchObject({
      kind: 'refused',
      reason: 'invalid_state',
    });
    expect((await finishOutsideSignIn(fixture.services, input)).kind).toBe('signed_in');
    expect(await finishOutsideSignIn(fixture.services, input)).toMatchObject({
      kind: 'refused',
      reason: 'invalid_state',
    });
  });

  it('gives a taken username a suffix, and mails a link to verify an address the provider did not', async () => {
    const fixture = setUp(() => ({
      subject: 's3',
      email: 'other@example.com',
      emailVerified: false,
      preferredUsername: 'taken',
      name: null,
    }));
    await fixture.services.users.create({
      id: 'x',
      username: 'taken',
      email: 'taken@example.com',
      passwordHash: null,
      displayName: null,
      now: 0,
    });
    // EMAIL_VERIFICATION=required: the account is made, and waits for its address like any other.
    expect(await finishOutsideSignIn(fixture.services, await callbackOf(fixture))).toMatchObject({
      kind: 'refused',
      reason: 'email_not_verified',
    });
    await fixture.settle();
    expect(fixture.tokenFromMail('other@example.com', '/verify-email')).toBeTruthy();
    const user = await fixture.services.users.findByEmail('other@example.com');
    expect(user!.username).toMatch(/^taken-/);
    expect(user!.emailVerifiedAt).toBeNull();
  });

  it('links to a signed-in account, and refuses an identity of another account', async () => {
    const fixture = setUp(() => ({
      subject: 's4',
      email: 'idp@example.com',
      emailVerified: true,
      preferredUsername: null,
      name: null,
    }));
    const owner = await verifiedUser(fixture);
    expect(await finishOutsideSignIn(fixture.services, await callbackOf(fixture, owner.id))).toMatchObject({
      kind: 'linked',
    });
    const other = await verifiedUser(fixture);
    expect(await finishOutsideSignIn(fixture.services, await callbackOf(fixture, other.id))).toMatchObject({
      kind: 'refused',
      reason: 'identity_taken',
    });
  });
});
