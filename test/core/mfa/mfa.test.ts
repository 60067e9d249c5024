// Two-step sign-in as plain function calls against the memory storage: the same one-winner rules
// as D1 under Promise.all, and the flows' answers.
import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../../../src/core/kit/base32';
import { getUser, removeSecondFactors } from '../../../src/core/admin/admin';
import { AuthError } from '../../../src/core/kit/errors';
import { changePassword } from '../../../src/core/accounts/account-changes';
import { login } from '../../../src/core/passwords/login';
import { confirmTotp, getMfaStatus, startTotpSetup, verifyMfa } from '../../../src/core/mfa/mfa';
import { authenticate } from '../../../src/core/sessions/session-flows';
import { generateTotpCode, totpTimeStep } from '../../../src/core/mfa/totp';
import { createDataEncryptionKeys } from '../../../src/core/kit/data-encryption';
import { bytesToBase64Url } from '../../../src/core/kit/encoding';
import { type CoreFixture, createCoreServices, verifiedUser } from '../../support/core-services';

const userAgent = 'test';

async function userWithTotp(fixture: CoreFixture) {
  const user = await verifiedUser(fixture);
  const tokens = await login(fixture.services, { identifier: user.username, password: user.password, userAgent });
  const auth = await authenticate(fixture.services, tokens.accessToken);
  const { secret } = await startTotpSetup(fixture.services, auth, { password: user.password });
  const key = decodeBase32(secret)!;
  const codeNow = (offset = 0) => generateTotpCode(key, totpTimeStep(fixture.clock.now()) + offset);
  const { recoveryCodes } = await confirmTotp(fixture.services, auth, await codeNow());
  fixture.clock.advance(30_000);
  return { user, auth, codeNow, recoveryCodes };
}

async function mfaToken(fixture: CoreFixture, user: { username: string; password: string }): Promise<string> {
  const error = await login(fixture.services, { identifier: user.username, password: user.password, userAgent }).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe('mfa_required');
  return (error as AuthError).extensions!.mfaToken as string;
}

describe('two-step sign-in (core)', () => {
  it('answers mfa_required instead of tokens for a user with TOTP on', async () => {
    const fixture = createCoreServices();
    const { user } = await userWithTotp(fixture);
    expect(await mfaToken(fixture, user)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lets one of ten parallel verifies with one code win', async () => {
    const fixture = createCoreServices();
    const { user, codeNow } = await userWithTotp(fixture);
    const token = await mfaToken(fixture, user);
    const code = await codeNow();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => verifyMfa(fixture.services, { mfaToken: token, code, userAgent })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('lets one of two parallel sign-ins with the same recovery code win', async () => {
    const fixture = createCoreServices();
    const { user, auth, recoveryCodes } = await userWithTotp(fixture);
    const tokens = [await mfaToken(fixture, user), await mfaToken(fixture, user)];
    const outcomes = await Promise.allSettled(
      tokens.map((token) => verifyMfa(fixture.services, { mfaToken: token, code: recoveryCodes[0]!, userAgent })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect((await getMfaStatus(fixture.services, auth)).recoveryCodes.remaining).toBe(9);
  });

  it('refuses a code two steps old and accepts one a step old', async () => {
    const fixture = createCoreServices();
    const { user, codeNow } = await userWithTotp(fixture);
    fixture.clock.advance(10 * 30_000);
    const token = await mfaToken(fixture, user);
    const stale = verifyMfa(fixture.services, { mfaToken: token, code: await codeNow(-2), userAgent });
    await expect(stale).rejects.toMatchObject({ code: 'invalid_code' });
    const tokens = await verifyMfa(fixture.services, { mfaToken: token, code: await codeNow(-1), userAgent });
    expect(tokens.user.username).toBe(user.username);
  });

  it('spends the mfaToken on its fifth wrong code', async () => {
    const fixture = createCoreServices({ maxFailures: 100 });
    const { user, codeNow } = await userWithTotp(fixture);
    const token = await mfaToken(fixture, user);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(verifyMfa(fixture.services, { mfaToken: token, code: '999999', userAgent })).rejects.toMatchObject({
        code: 'invalid_code',
      });
    }
    const after = verifyMfa(fixture.services, { mfaToken: token, code: await codeNow(), userAgent });
    await expect(after).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('mails the owner when a recovery code signs in', async () => {
    const fixture = createCoreServices();
    const { user, recoveryCodes } = await userWithTotp(fixture);
    const token = await mfaToken(fixture, user);
    await verifyMfa(fixture.services, { mfaToken: token, code: recoveryCodes[3]!, userAgent });
    await fixture.settle();
    expect(fixture.mails.at(-1)).toMatchObject({
      to: user.email,
      subject: 'A recovery code was used for your Latchkey account',
    });
  });

  it('stores a secret read with the previous key again under the current one, so the previous key can be retired', async () => {
    const fixture = createCoreServices();
    const keyText = () => bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const [oldKey, newKey] = [keyText(), keyText()];
    fixture.services.dataKeys = createDataEncryptionKeys({ current: oldKey });
    const { user, codeNow } = await userWithTotp(fixture);
    const stored = async () => (await fixture.storage.mfa.findTotpFactor(user.id))!.secretCiphertext;
    expect(await stored()).toMatch(/^v1\./);

    fixture.services.dataKeys = createDataEncryptionKeys({ current: newKey, version: 2, previous: oldKey });
    await verifyMfa(fixture.services, { mfaToken: await mfaToken(fixture, user), code: await codeNow(), userAgent });
    await fixture.settle();
    expect(await stored()).toMatch(/^v2\./);
    expect(fixture.events).toContainEqual({ event: 'mfa.secret_reencrypted', userId: user.id });

    // With the previous key gone, the factor still works.
    fixture.services.dataKeys = createDataEncryptionKeys({ current: newKey, version: 2 });
    fixture.clock.advance(30_000);
    const tokens = await verifyMfa(fixture.services, {
      mfaToken: await mfaToken(fixture, user),
      code: await codeNow(),
      userAgent,
    });
    expect(tokens.user.username).toBe(user.username);
  });

  it('ends a pending sign-in when the password changes, and spends no code on it', async () => {
    const fixture = createCoreServices();
    const { user, auth, recoveryCodes } = await userWithTotp(fixture);
    const token = await mfaToken(fixture, user);
    await changePassword(fixture.services, auth, {
      currentPassword: user.password,
      newPassword: 'a new long password',
    });
    const late = verifyMfa(fixture.services, { mfaToken: token, code: recoveryCodes[0]!, userAgent });
    await expect(late).rejects.toMatchObject({ code: 'invalid_token' });
    expect((await fixture.storage.mfa.findMfaStatus(user.id)).recoveryCodesRemaining).toBe(10);
    // The new password's sign-in gets a challenge of its own, which the same code completes.
    const fresh = await mfaToken(fixture, { username: user.username, password: 'a new long password' });
    const tokens = await verifyMfa(fixture.services, { mfaToken: fresh, code: recoveryCodes[0]!, userAgent });
    expect(tokens.user.username).toBe(user.username);
  });
});

describe('support removing second factors (core)', () => {
  it('removes the factor and pending sign-ins, lists the factors, and mails the owner once', async () => {
    const fixture = createCoreServices();
    const { user } = await userWithTotp(fixture);
    const token = await mfaToken(fixture, user);
    expect((await getUser(fixture.services, user.id)).factors).toEqual(['password', 'totp']);
    fixture.mails.length = 0;

    await Promise.all([removeSecondFactors(fixture.services, user.id), removeSecondFactors(fixture.services, user.id)]);
    await fixture.settle();

    expect((await getUser(fixture.services, user.id)).factors).toEqual(['password']);
    await expect(verifyMfa(fixture.services, { mfaToken: token, code: '000000', userAgent })).rejects.toMatchObject({
      code: 'invalid_token',
    });
    await expect(
      login(fixture.services, { identifier: user.username, password: user.password, userAgent }),
    ).resolves.toMatchObject({ accessToken: expect.any(String) });
    expect(fixture.mails.map((mail) => [mail.to, mail.subject])).toEqual([
      [user.email, 'Two-step sign-in is off for your Latchkey account'],
    ]);
    await expect(removeSecondFactors(fixture.services, 'no-such-user')).rejects.toMatchObject({ code: 'not_found' });
  });
});
