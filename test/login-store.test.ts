// The login's reservation statements against the real local D1, and the memory store against the
// same cases: the counter answers each attempt atomically, locks at the limit and starts afresh
// once the lock has ended.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { LoginStore } from '../src/core/login-throttle';
import { newSession } from '../src/core/sessions';
import type { UserRepository } from '../src/core/users';
import { createD1LoginStore } from '../src/storage/d1-login-store';
import { createD1UserRepository } from '../src/storage/d1-user-repository';
import { createMemoryStorage } from '../src/storage/memory';
import { uniqueIdentity } from './support/harness';

const memory = createMemoryStorage({ now: () => Date.now() });
const stores: Array<[string, { logins: LoginStore; users: UserRepository }]> = [
  ['D1', { logins: createD1LoginStore(env.DB), users: createD1UserRepository(env.DB) }],
  ['memory', memory],
];

describe.each(stores)('%s login store', (_name, { logins, users }) => {
  const limits = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 120_000 };

  async function newAccount() {
    const identity = uniqueIdentity('store');
    const id = crypto.randomUUID();
    await users.create({
      id,
      username: identity.username,
      email: identity.email,
      passwordHash: '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0$aGFzaA',
      displayName: null,
      now: Date.now(),
    });
    return { id, ...identity };
  }

  const reserve = (username: string, identifierKey: string | null, now: number) =>
    identifierKey
      ? logins.reserveLoginAttempt({ username }, identifierKey, limits, now)
      : logins.reserveAccountAttempt({ username }, limits, now);

  describe('reservations', () => {
    it('grants the attempts up to the limit, locks on the last one, and refuses the rest', async () => {
      const { id, username } = await newAccount();
      const now = Date.now();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await reserve(username, `test:id:${id}`, now));
      expect(answers.map((answer) => answer.identifier!.granted)).toEqual([true, true, true, false, false]);
      expect(answers[2]!.identifier!.blockedUntil).toBe(now + limits.lockoutMs);
      expect(answers[2]!.found?.user.id).toBe(id);
      // Refused by its identifier, the attempt does not spend the account's checks.
      expect(answers.map((answer) => answer.account?.count ?? null)).toEqual([1, 2, 3, null, null]);
    });

    it('starts counting afresh once the lock has ended', async () => {
      const { id, username } = await newAccount();
      const now = Date.now();
      for (let i = 0; i < 4; i++) await reserve(username, `test:id:${id}`, now);
      const later = await reserve(username, `test:id:${id}`, now + limits.lockoutMs);
      expect(later.identifier).toEqual({ granted: true, count: 1, blockedUntil: null });
    });

    it('reserves on the account alone when no identifier counter is asked for', async () => {
      const { username } = await newAccount();
      const answer = await reserve(username, null, Date.now());
      expect(answer.identifier).toBeNull();
      expect(answer.account).toMatchObject({ granted: true, count: 1 });
    });

    it('counts an unknown identifier without an account counter', async () => {
      const answer = await reserve(`ghost_${crypto.randomUUID().slice(0, 8)}`, `test:id:${crypto.randomUUID()}`, 1);
      expect(answer).toEqual({
        found: null,
        identifier: { granted: true, count: 1, blockedUntil: null },
        account: null,
        totpEnabled: false,
      });
    });
  });

  describe('starting a session', () => {
    const lifetime = { ttlSeconds: 3600, maxAgeSeconds: 86_400 };
    const started = async (userId: string) =>
      newSession({ userId, userAgent: 'test', credentialVersion: 0, amr: ['pwd'], now: Date.now(), lifetime });

    it('starts a session under the credential version that was checked', async () => {
      const { id } = await newAccount();
      const { session, refreshDigest } = await started(id);
      expect(await logins.completeLogin(session, refreshDigest, [])).toBe(true);
    });

    it('starts no session for an account disabled after its password was checked', async () => {
      const { id } = await newAccount();
      const { session, refreshDigest } = await started(id);
      await users.setDisabled(id, Date.now(), Date.now());
      expect(await logins.completeLogin(session, refreshDigest, [])).toBe(false);
    });
  });
});
