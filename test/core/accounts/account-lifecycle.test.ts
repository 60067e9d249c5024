// The lifecycle flows as plain functions over the memory storage: email change, disabled users,
// sign-up that signs in, and the admin listing.
import { describe, expect, it } from 'vitest';
import { listUsers, setUserDisabled } from '../../../src/core/admin/admin';
import { confirmEmailChange, requestEmailChange } from '../../../src/core/accounts/email-change';
import { login } from '../../../src/core/passwords/login';
import { authenticate } from '../../../src/core/sessions/session-flows';
import { registerAndSignIn } from '../../../src/core/accounts/sign-up';
import { createCoreServices } from '../../support/core-services';

const password = 'correct horse battery';

async function signedIn(core: ReturnType<typeof createCoreServices>, name: string) {
  const tokens = await registerAndSignIn(core.services, {
    username: name,
    email: `${name}@example.com`,
    password,
    userAgent: 'test',
  });
  await core.settle();
  return { tokens, auth: await authenticate(core.services, tokens.accessToken) };
}

function linkToken(core: ReturnType<typeof createCoreServices>, to: string) {
  const mail = core.mails.find((message) => message.to === to && message.text.includes('/confirm-email-change'));
  return /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
}

describe('email change (core)', () => {
  it('switches the address once, whichever confirmation comes first', async () => {
    const core = createCoreServices({ emailVerification: 'optional' });
    const { auth } = await signedIn(core, 'alice');
    await requestEmailChange(core.services, auth, { password, newEmail: 'alice.new@example.com' });
    await core.settle();
    const token = linkToken(core, 'alice.new@example.com')!;
    const outcomes = await Promise.allSettled([
      confirmEmailChange(core.services, token),
      confirmEmailChange(core.services, token),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await core.services.users.findById(auth.user.id))?.email).toBe('alice.new@example.com');
  });

  it('answers conflict and changes nothing when the address was taken meanwhile', async () => {
    const core = createCoreServices({ emailVerification: 'optional' });
    const { auth } = await signedIn(core, 'bob');
    await requestEmailChange(core.services, auth, { password, newEmail: 'taken@example.com' });
    await core.settle();
    const token = linkToken(core, 'taken@example.com')!;
    await signedIn(core, 'taken');
    await expect(confirmEmailChange(core.services, token)).rejects.toMatchObject({ code: 'conflict' });
    expect((await core.services.users.findById(auth.user.id))?.email).toBe('bob@example.com');
  });
});

describe('disabled users (core)', () => {
  it('end their sessions and are told account_disabled only after the right password', async () => {
    // Signed up and in at once, which only EMAIL_VERIFICATION=optional does (the door checks the policy).
    const core = createCoreServices({ emailVerification: 'optional' });
    const { tokens, auth } = await signedIn(core, 'carol');
    await setUserDisabled(core.services, auth.user.id, true);
    await expect(authenticate(core.services, tokens.accessToken)).rejects.toMatchObject({ code: 'unauthorized' });
    const attempt = (secret: string) => login(core.services, { identifier: 'carol', password: secret, userAgent: 't' });
    await expect(attempt('wrong password')).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(attempt(password)).rejects.toMatchObject({ code: 'account_disabled' });
  });
});

describe('sign-up that signs in (core)', () => {
  it('returns a live session for the new, unverified user', async () => {
    const core = createCoreServices({ emailVerification: 'optional' });
    const { tokens, auth } = await signedIn(core, 'dave');
    expect(tokens.user.emailVerified).toBe(false);
    expect(auth.user.username).toBe('dave');
    expect(core.mails.some((mail) => mail.text.includes('/verify-email'))).toBe(true);
  });
});

describe('admin listing (core)', () => {
  it('pages newest first with a cursor', async () => {
    const core = createCoreServices({ emailVerification: 'optional' });
    for (const name of ['pat1', 'pat2', 'pat3', 'other']) {
      await signedIn(core, name);
      core.clock.advance(1000);
    }
    const first = await listUsers(core.services, { query: 'pat', limit: 2 });
    expect(first.users.map((user) => user.username)).toEqual(['pat3', 'pat2']);
    const second = await listUsers(core.services, { query: 'pat', limit: 2, cursor: first.nextCursor! });
    expect(second.users.map((user) => user.username)).toEqual(['pat1']);
    expect(second.nextCursor).toBeNull();
  });
});
