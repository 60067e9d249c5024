// EmailSignInStore (src/core/email-sign-in/email-sign-in-store.ts): one pending mail per address,
// replaced by the next; taken once by its link token (one winner in parallel); each try at the code
// counted before it is checked, under the limit; gone with its account.
import { expect } from 'vitest';
import type { PendingEmailSignIn } from '../../src/core/email-sign-in/email-sign-in-store';
import { MINUTE, T0, createUser, newDigest, setUp, uniqueName } from './fixtures';
import type { Contract } from './suite';

async function pendingFor(email: string, overrides: Partial<PendingEmailSignIn> = {}): Promise<PendingEmailSignIn> {
  return {
    email,
    tokenDigest: await newDigest(),
    codeDigest: await newDigest(),
    userId: null,
    username: uniqueName('new'),
    expiresAt: T0 + 10 * MINUTE,
    ...overrides,
  };
}

export const emailSignInStoreContract: Contract = ({ it }, open) => {
  it('takes a pending sign-in once by its token, and answers what was saved', async () => {
    const { s } = await setUp(open);
    const pending = await pendingFor(`${uniqueName('a')}@example.com`);
    await s.emailSignIns.save(pending, T0);
    expect(await s.emailSignIns.takeByToken(pending.tokenDigest, T0 + 1)).toEqual(pending);
    expect(await s.emailSignIns.takeByToken(pending.tokenDigest, T0 + 2)).toBeNull();
  });

  it('gives one of ten parallel takes the pending sign-in', async () => {
    const { s } = await setUp(open);
    const pending = await pendingFor(`${uniqueName('a')}@example.com`);
    await s.emailSignIns.save(pending, T0);
    const taken = await Promise.all(
      Array.from({ length: 10 }, () => s.emailSignIns.takeByToken(pending.tokenDigest, T0)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('replaces the previous pending sign-in of the address, whose token then finds nothing', async () => {
    const { s } = await setUp(open);
    const email = `${uniqueName('a')}@example.com`;
    const first = await pendingFor(email);
    const second = await pendingFor(email);
    await s.emailSignIns.save(first, T0);
    await s.emailSignIns.reserveCodeAttempt(email, T0, 5);
    await s.emailSignIns.save(second, T0 + 1);
    expect(await s.emailSignIns.takeByToken(first.tokenDigest, T0 + 2)).toBeNull();
    // The new mail's code starts with all its tries.
    for (let i = 0; i < 5; i++) expect(await s.emailSignIns.reserveCodeAttempt(email, T0 + 2, 5)).toEqual(second);
    expect(await s.emailSignIns.reserveCodeAttempt(email, T0 + 2, 5)).toBeNull();
  });

  it('counts at most the limit of parallel tries at a code', async () => {
    const { s } = await setUp(open);
    const email = `${uniqueName('a')}@example.com`;
    await s.emailSignIns.save(await pendingFor(email), T0);
    const tries = await Promise.all(Array.from({ length: 12 }, () => s.emailSignIns.reserveCodeAttempt(email, T0, 5)));
    expect(tries.filter(Boolean)).toHaveLength(5);
  });

  it('finds nothing once expired, by token or by address', async () => {
    const { s } = await setUp(open);
    const pending = await pendingFor(`${uniqueName('a')}@example.com`);
    await s.emailSignIns.save(pending, T0);
    expect(await s.emailSignIns.reserveCodeAttempt(pending.email, pending.expiresAt, 5)).toBeNull();
    expect(await s.emailSignIns.takeByToken(pending.tokenDigest, pending.expiresAt)).toBeNull();
  });

  it('forgets the pending sign-in of a deleted account', async () => {
    const { s } = await setUp(open);
    const user = await createUser(s);
    const pending = await pendingFor(user.email, { userId: user.id, username: null });
    await s.emailSignIns.save(pending, T0);
    await s.users.delete(user.id);
    expect(await s.emailSignIns.takeByToken(pending.tokenDigest, T0 + 1)).toBeNull();
  });
};
