// RevocationPublisher (src/core/sessions/revocations.ts): what a verifier Worker reads after sessions end,
// read back through each implementation's own markers (the port itself only writes). A store may
// keep whole seconds, so times are compared to the second.
import { expect } from 'vitest';
import { SECOND, T0, uniqueName, setUp } from './fixtures';
import type { Contract } from './suite';

/** Whether `marker` names the second of `now`, as a verifier comparing whole-second `iat` reads it. */
const sameSecond = (marker: number | null, now: number) => marker !== null && Math.abs(marker - now) < SECOND;

export const revocationPublisherContract: Contract = ({ it }, open) => {
  it('marks one ended session, and no other', async () => {
    const { s } = await setUp(open);
    const [ended, live] = [uniqueName('session'), uniqueName('session')];
    await s.revocations.sessionEnded(ended, T0 + 250);
    expect(sameSecond(await s.revocationMarkers.sessionEndedAt(ended), T0 + 250)).toBe(true);
    expect(await s.revocationMarkers.sessionEndedAt(live)).toBeNull();
    expect(await s.revocationMarkers.allSessionsEndedAt(ended)).toBeNull();
  });

  it("records when all of a user's sessions ended, and moves it forward at a later revocation", async () => {
    const { s } = await setUp(open);
    const [userId, other] = [crypto.randomUUID(), crypto.randomUUID()];
    await s.revocations.allSessionsEnded(userId, T0);
    expect(sameSecond(await s.revocationMarkers.allSessionsEndedAt(userId), T0)).toBe(true);
    await s.revocations.allSessionsEnded(userId, T0 + 100 * SECOND);
    expect(sameSecond(await s.revocationMarkers.allSessionsEndedAt(userId), T0 + 100 * SECOND)).toBe(true);
    expect(await s.revocationMarkers.allSessionsEndedAt(other)).toBeNull();
    expect(await s.revocationMarkers.sessionEndedAt(userId)).toBeNull();
  });
};
