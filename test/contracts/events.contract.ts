// EventStore and WebhookStore (src/core/events/event-store.ts), and the promise
// every write port makes with them: an event given to a write is recorded in the same transaction,
// only if the write happened, once even if the write is retried.
import { expect } from 'vitest';
import { type EventType, newEvent } from '../../src/core/events/catalogue';
import type { WebhookEndpoint } from '../../src/core/events/event-store';
import { newSession } from '../../src/core/sessions/sessions';
import type { User } from '../../src/core/accounts/users';
import {
  DAY,
  HOUR,
  T0,
  createUser,
  credentialVersionOf,
  newPasskey,
  newUserInput,
  setUp,
  startSession,
} from './fixtures';
import type { Contract, ContractStorage } from './suite';

const eventFor = (type: EventType, user: { id: string; username: string; email: string }, at = T0) =>
  newEvent(type, user, at);

const typesOf = async (s: ContractStorage, userId: string) =>
  (await s.events.listForUser(userId, 0, 100)).map((event) => event.type);

function endpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: `wh_${crypto.randomUUID()}`,
    url: 'https://hooks.example/a',
    events: ['user.created'],
    secretCiphertext: 'v1.secret',
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    createdAt: T0,
    failingSince: null,
    pausedAt: null,
    ...overrides,
  };
}

export const eventStoreContract: Contract = ({ describe, it }, open) => {
  describe('events recorded with their change', () => {
    it('records user.created with the user, as given', async () => {
      const { s } = await setUp(open);
      const input = newUserInput();
      const event = eventFor('user.created', input);
      expect((await s.users.create(input, event)).ok).toBe(true);
      expect(await s.events.listForUser(input.id, 0, 10)).toEqual([event]);
    });

    it('records nothing when the user could not be created', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const clash = newUserInput({ username: user.username });
      expect((await s.users.create(clash, eventFor('user.created', clash))).ok).toBe(false);
      expect(await typesOf(s, clash.id)).toEqual([]);
    });

    it('records an email verification once, for the request that made it', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const [a, b] = [eventFor('user.email_verified', user), eventFor('user.email_verified', user)];
      const results = await Promise.all([
        s.users.markEmailVerified(user.id, user.email, T0, a),
        s.users.markEmailVerified(user.id, user.email, T0, b),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await typesOf(s, user.id)).toEqual(['user.email_verified']);
    });

    it('records a password change only while the credential is at the expected version', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const version = await credentialVersionOf(s, user);
      const change = (type: EventType) =>
        s.users.replacePassword({
          userId: user.id,
          expectedVersion: version,
          passwordHash: 'new-hash',
          now: T0,
          event: eventFor(type, user),
        });
      expect(await change('user.password_changed')).toBe(true);
      expect(await change('user.password_reset')).toBe(false);
      expect(await typesOf(s, user.id)).toEqual(['user.password_changed']);
    });

    it('records an address change, and nothing for a stale one', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const move = (newEmail: string) =>
        s.users.changeEmail({
          userId: user.id,
          oldEmail: user.email,
          newEmail,
          now: T0,
          event: eventFor('user.email_changed', { ...user, email: newEmail }),
        });
      expect(await move(`new-${user.email}`)).toBe('changed');
      expect(await move(`other-${user.email}`)).toBe('stale');
      expect(await typesOf(s, user.id)).toEqual(['user.email_changed']);
    });

    it('records disable and enable, and nothing for a user that does not exist', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.users.setDisabled(user.id, T0, T0, eventFor('user.disabled', user))).toBe(true);
      expect(await s.users.setDisabled(user.id, null, T0 + 1, eventFor('user.enabled', user, T0 + 1))).toBe(true);
      const ghost = { id: crypto.randomUUID(), username: 'ghost', email: 'ghost@example.com' };
      expect(await s.users.setDisabled(ghost.id, T0, T0, eventFor('user.disabled', ghost))).toBe(false);
      expect(await typesOf(s, user.id)).toEqual(['user.enabled', 'user.disabled']);
      expect(await typesOf(s, ghost.id)).toEqual([]);
    });

    it('records the same event once when its write is repeated (a retry)', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const event = eventFor('user.disabled', user);
      await s.users.setDisabled(user.id, T0, T0, event);
      await s.users.setDisabled(user.id, T0, T0, event);
      expect(await typesOf(s, user.id)).toEqual(['user.disabled']);
    });

    it('keeps user.deleted after the user is gone, and records it for one of two deletions', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const results = await Promise.all([
        s.users.delete(user.id, eventFor('user.deleted', user)),
        s.users.delete(user.id, eventFor('user.deleted', user)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await typesOf(s, user.id)).toEqual(['user.deleted']);
    });

    it('records session.created with the session, and nothing when the credential moved', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const version = await credentialVersionOf(s, user);
      const started = await newSession({
        userId: user.id,
        userAgent: 'Firefox on Linux',
        credentialVersion: version + 1,
        amr: ['pwd'],
        now: T0,
        lifetime: { ttlSeconds: 3600, maxAgeSeconds: 86400 },
      });
      expect(
        await s.logins.completeLogin(started.session, started.refreshDigest, [], eventFor('session.created', user)),
      ).toEqual({ started: false });
      const good = await newSession({
        ...started.session,
        credentialVersion: version,
        now: T0,
        lifetime: { ttlSeconds: 3600, maxAgeSeconds: 86400 },
      });
      expect(
        (await s.logins.completeLogin(good.session, good.refreshDigest, [], eventFor('session.created', user))).started,
      ).toBe(true);
      expect(await typesOf(s, user.id)).toEqual(['session.created']);
    });

    it('records session.revoked only for a session that was there', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session } = await startSession(s, user);
      expect(await s.sessions.delete(user.id, 'no-such-session', eventFor('session.revoked', user))).toBe(false);
      expect(await s.sessions.delete(user.id, session.id, eventFor('session.revoked', user))).toBe(true);
      await s.sessions.deleteAllForUser(user.id, undefined, eventFor('session.revoked', user));
      expect(await typesOf(s, user.id)).toEqual(['session.revoked']);
    });

    it('records passkey.added and passkey.removed only when they happened', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const passkey = newPasskey(user.id);
      expect(await s.passkeys.add(passkey, eventFor('passkey.added', user))).toBe(true);
      expect(await s.passkeys.add({ ...passkey, id: `${passkey.id}-2` }, eventFor('passkey.added', user))).toBe(false);
      expect(await s.passkeys.remove(user.id, passkey.id, eventFor('passkey.removed', user, T0 + 1))).not.toBeNull();
      expect(await s.passkeys.remove(user.id, passkey.id, eventFor('passkey.removed', user, T0 + 2))).toBeNull();
      expect(await typesOf(s, user.id)).toEqual(['passkey.removed', 'passkey.added']);
    });

    it('records mfa.enabled when the factor turns on, and mfa.disabled only while one was on', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session } = await startSession(s, user);
      await s.mfa.disableTotp(user.id, session.id, eventFor('mfa.disabled', user));
      expect(await s.mfa.removeFactors(user.id, eventFor('mfa.disabled', user))).toBe(false);
      expect(await s.mfa.savePendingTotp(user.id, 'v1.pending', T0)).toBe(true);
      const enable = () =>
        s.mfa.enableTotp({
          userId: user.id,
          secretCiphertext: 'v1.pending',
          acceptedStep: 1,
          recoveryCodeDigests: [],
          keepSessionId: session.id,
          now: T0 + 1,
          event: eventFor('mfa.enabled', user, T0 + 1),
        });
      expect(await enable()).toBe(true);
      expect(await enable()).toBe(false);
      await s.mfa.disableTotp(user.id, session.id, eventFor('mfa.disabled', user, T0 + 2));
      expect(await typesOf(s, user.id)).toEqual(['mfa.disabled', 'mfa.enabled']);
    });
  });

  describe('the outbox', () => {
    it('stores an event no live endpoint wants as handed on, and says so to the write', async () => {
      const { s } = await setUp(open);
      const paused = endpoint({ events: ['user.created'], pausedAt: T0 });
      await s.webhooks.add(paused);
      const [first, second] = [newUserInput(), newUserInput()];
      const unwanted = eventFor('user.created', first);
      expect(await s.users.create(first, unwanted)).toMatchObject({
        event: { event: unwanted, awaitsDispatch: false },
      });
      await s.webhooks.add(endpoint({ events: ['user.created'] }));
      const wanted = eventFor('user.created', second, T0 + 1);
      expect(await s.users.create(second, wanted)).toMatchObject({ event: { event: wanted, awaitsDispatch: true } });
      expect((await s.events.listUndispatched(T0 + DAY, 10)).map((event) => event.id)).toEqual([wanted.id]);
    });

    it('prepares a dispatch: the undispatched events, the live endpoints, unsubscribed events marked', async () => {
      const { s } = await setUp(open);
      const [subscribed, unsubscribed] = [newUserInput(), newUserInput()];
      const created = eventFor('user.created', subscribed);
      const verified = eventFor('user.email_verified', unsubscribed, T0 + 1);
      // Both endpoints exist when the events happen; the one that wanted user.email_verified is
      // gone before the dispatch.
      const live = endpoint({ events: ['user.created'] });
      const pausedLater = endpoint({ events: ['user.email_verified'] });
      await s.webhooks.add(live);
      await s.webhooks.add(pausedLater);
      await s.users.create(subscribed, created);
      await s.users.create(unsubscribed);
      await s.users.markEmailVerified(unsubscribed.id, unsubscribed.email, T0 + 1, verified);
      await s.webhooks.remove(pausedLater.id);
      const first = await s.events.prepareDispatch([created.id, verified.id, 'evt_unknown'], T0 + 2);
      expect(first).toEqual({ events: [created, verified], endpoints: [live] });
      // The event no live endpoint wants is already marked; the other waits for its send.
      expect((await s.events.prepareDispatch([created.id, verified.id], T0 + 3)).events).toEqual([created]);
      await s.events.markDispatched([created.id], T0 + 4);
      expect((await s.events.prepareDispatch([created.id], T0 + 5)).events).toEqual([]);
      expect(await s.events.find(created.id)).toEqual(created);
    });

    it('lists undispatched events older than a time, oldest first, up to a limit', async () => {
      const { s } = await setUp(open);
      await s.webhooks.add(endpoint({ events: ['user.created'] }));
      const inputs = [0, 1, 2].map(() => newUserInput());
      const events = inputs.map((input, index) => eventFor('user.created', input, T0 + index * HOUR));
      for (const [index, input] of inputs.entries()) await s.users.create(input, events[index]);
      expect((await s.events.listUndispatched(T0 + 2 * HOUR, 10)).map((event) => event.id)).toEqual([
        events[0]!.id,
        events[1]!.id,
      ]);
      expect(await s.events.listUndispatched(T0 + 3 * HOUR, 1)).toEqual([events[0]]);
    });

    it('lists a user’s events newest first since a time, and deletes old ones', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.users.setDisabled(user.id, T0, T0, eventFor('user.disabled', user, T0));
      await s.users.setDisabled(user.id, null, T0, eventFor('user.enabled', user, T0 + DAY));
      expect(await typesOf(s, user.id)).toEqual(['user.enabled', 'user.disabled']);
      expect((await s.events.listForUser(user.id, T0 + 1, 10)).map((event) => event.type)).toEqual(['user.enabled']);
      expect(await s.events.deleteBefore(T0 + 1, 10)).toBe(1);
      expect(await typesOf(s, user.id)).toEqual(['user.enabled']);
    });
  });

  describe('webhook endpoints', () => {
    it('stores, lists, finds and removes endpoints', async () => {
      const { s } = await setUp(open);
      const a = endpoint({ events: ['user.created', 'user.deleted'] });
      const b = endpoint({ createdAt: T0 + 1 });
      await s.webhooks.add(a);
      await s.webhooks.add(b);
      expect(await s.webhooks.list()).toEqual([a, b]);
      expect(await s.webhooks.find(a.id)).toEqual(a);
      expect(await s.webhooks.remove(a.id)).toBe(true);
      expect(await s.webhooks.remove(a.id)).toBe(false);
      expect(await s.webhooks.find(a.id)).toBeNull();
    });

    it('keeps the previous secret beside a new one after a rotation', async () => {
      const { s } = await setUp(open);
      const a = endpoint();
      await s.webhooks.add(a);
      expect(await s.webhooks.rotateSecret(a.id, 'v1.next', T0 + DAY)).toBe(true);
      expect(await s.webhooks.find(a.id)).toMatchObject({
        secretCiphertext: 'v1.next',
        previousSecretCiphertext: 'v1.secret',
        previousSecretExpiresAt: T0 + DAY,
      });
      expect(await s.webhooks.rotateSecret('wh_none', 'v1.x', T0)).toBe(false);
    });

    it('pauses an endpoint failing since the given time, clears failures on success, and resumes', async () => {
      const { s } = await setUp(open);
      const a = endpoint();
      await s.webhooks.add(a);
      const fail = (now: number) => s.webhooks.recordAttempt(a.id, { ok: false, now, pauseIfFailingSince: now - DAY });
      await fail(T0);
      await fail(T0 + HOUR);
      expect(await s.webhooks.find(a.id)).toMatchObject({ failingSince: T0, pausedAt: null });
      await s.webhooks.recordAttempt(a.id, { ok: true, now: T0 + 2 * HOUR, pauseIfFailingSince: 0 });
      expect(await s.webhooks.find(a.id)).toMatchObject({ failingSince: null, pausedAt: null });
      await fail(T0 + 3 * HOUR);
      await fail(T0 + 3 * HOUR + DAY);
      expect(await s.webhooks.find(a.id)).toMatchObject({ pausedAt: T0 + 3 * HOUR + DAY });
      expect(await s.webhooks.resume(a.id)).toBe(true);
      expect(await s.webhooks.find(a.id)).toMatchObject({ failingSince: null, pausedAt: null });
      expect(await s.webhooks.resume('wh_none')).toBe(false);
    });
  });

  describe('session.created and the device', () => {
    const signInFrom = async (s: ContractStorage, user: User, device: string, at: number) => {
      const version = await credentialVersionOf(s, user);
      const started = await newSession({
        userId: user.id,
        userAgent: device,
        credentialVersion: version,
        amr: ['pwd'],
        now: at,
        lifetime: { ttlSeconds: 3600, maxAgeSeconds: 86400 },
      });
      const event = newEvent('session.created', user, at, {
        sessionId: started.session.id,
        method: 'password',
        device,
      });
      const completed = await s.logins.completeLogin(started.session, started.refreshDigest, [], event);
      const stored = (await s.events.find(event.id))!;
      // The answer gives the event as stored, so the sign-in reads nothing more.
      expect(completed).toEqual({ started: true, event: { event: stored, awaitsDispatch: false } });
      return stored.data.newDevice;
    };

    it('stores a sign-in as handed on when no live endpoint wants it, and says when one does', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.webhooks.add(endpoint({ events: ['session.created'], pausedAt: T0 }));
      await s.webhooks.add(endpoint({ events: ['user.created'] }));
      await signInFrom(s, user, 'Firefox on Linux', T0);
      expect(await s.events.listUndispatched(T0 + DAY, 10)).toEqual([]);
      await s.webhooks.add(endpoint({ events: ['session.created'] }));
      const version = await credentialVersionOf(s, user);
      const started = await newSession({
        userId: user.id,
        userAgent: 'Firefox on Linux',
        credentialVersion: version,
        amr: ['pwd'],
        now: T0 + 1,
        lifetime: { ttlSeconds: 3600, maxAgeSeconds: 86400 },
      });
      const event = newEvent('session.created', user, T0 + 1, {
        sessionId: started.session.id,
        method: 'password',
        device: 'Firefox on Linux',
      });
      const completed = await s.logins.completeLogin(started.session, started.refreshDigest, [], event);
      expect(completed).toMatchObject({ started: true, event: { awaitsDispatch: true } });
      expect((await s.events.listUndispatched(T0 + DAY, 10)).map((listed) => listed.id)).toEqual([event.id]);
    });

    it('marks a device new when the account has signed in before, but not from it in 90 days', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await signInFrom(s, user, 'Firefox on Linux', T0)).toBe(false);
      expect(await signInFrom(s, user, 'Firefox on Linux', T0 + DAY)).toBe(false);
      expect(await signInFrom(s, user, 'Safari on iOS', T0 + 2 * DAY)).toBe(true);
      expect(await signInFrom(s, user, 'Safari on iOS', T0 + 3 * DAY)).toBe(false);
      expect(await signInFrom(s, user, 'Firefox on Linux', T0 + DAY + 91 * DAY)).toBe(true);
    });

    it("keeps each account's devices apart", async () => {
      const { s } = await setUp(open);
      const [a, b] = [await createUser(s), await createUser(s)];
      await signInFrom(s, a, 'Firefox on Linux', T0);
      await signInFrom(s, b, 'Chrome on Windows', T0);
      expect(await signInFrom(s, b, 'Firefox on Linux', T0 + 1)).toBe(true);
    });
  });
};
