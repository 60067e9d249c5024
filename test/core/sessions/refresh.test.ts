// Refresh-token rotation as plain function calls: rotation, the one grace sibling, reuse.
import { describe, expect, it } from 'vitest';
import { authenticate, logout, refresh } from '../../../src/core/sessions/session-flows';
import { createCoreServices, signedInUser } from '../../support/core-services';

async function signedIn() {
  const fixture = createCoreServices();
  return { fixture, ...(await signedInUser(fixture)) };
}

describe('refresh (core)', () => {
  it('rotates the refresh token and keeps the session', async () => {
    const { fixture, tokens } = await signedIn();
    const next = await refresh(fixture.services, tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).toBe(tokens.accessToken);
  });

  it('answers one repeat inside the grace window with a sibling token', async () => {
    const { fixture, tokens } = await signedIn();
    const [first, second] = await Promise.all([
      refresh(fixture.services, tokens.refreshToken),
      refresh(fixture.services, tokens.refreshToken),
    ]);
    expect(first.refreshToken).not.toBe(second.refreshToken);
    await expect(refresh(fixture.services, tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('ends the session when a rotated token comes back after the grace window', async () => {
    const { fixture, tokens } = await signedIn();
    const next = await refresh(fixture.services, tokens.refreshToken);
    fixture.clock.advance(31_000);
    await expect(refresh(fixture.services, tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(refresh(fixture.services, next.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(authenticate(fixture.services, tokens.accessToken)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('tells other Workers that a reused session ended', async () => {
    const { fixture, tokens } = await signedIn();
    await refresh(fixture.services, tokens.refreshToken);
    fixture.clock.advance(31_000);
    await refresh(fixture.services, tokens.refreshToken).catch(() => {});
    const { sessionId } = (await fixture.services.accessTokens.verify(tokens.accessToken, 0))!;
    expect(fixture.storage.revocations.endedSessions.get(sessionId)).toBe(fixture.clock.now());
  });

  it('refuses a refresh once the session is idle past its timeout', async () => {
    const { fixture, tokens } = await signedIn();
    fixture.clock.advance(30 * 24 * 60 * 60 * 1000);
    await expect(refresh(fixture.services, tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
  });
});

describe('logout (core)', () => {
  it('ends the session and tells other Workers', async () => {
    const { fixture, tokens } = await signedIn();
    const auth = await authenticate(fixture.services, tokens.accessToken);
    await logout(fixture.services, auth);
    await expect(refresh(fixture.services, tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(fixture.storage.revocations.endedSessions.has(auth.session.id)).toBe(true);
  });

  it('still logs out when the revocation marker cannot be written', async () => {
    const { fixture, tokens } = await signedIn();
    const auth = await authenticate(fixture.services, tokens.accessToken);
    const services = {
      ...fixture.services,
      revocations: { ...fixture.storage.revocations, sessionEnded: () => Promise.reject(new Error('KV is down')) },
    };
    await logout(services, auth);
    expect(fixture.events.map((event) => event.event)).toContain('revocation.publish_failed');
  });
});
