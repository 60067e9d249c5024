// Latchkey tells Workers that verify tokens on their own (src/verifier) when sessions end, through
// the REVOCATIONS namespace. D1 decides; a failed marker write must not change the answer.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sessionRevocationKey, userRevocationKey } from '../../src/core/sessions/revocations';
import { createHarness, signedInUser } from '../support/harness';

function sessionIdOf(accessToken: string): string {
  const payload = JSON.parse(atob(accessToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
    sid?: string;
  };
  return payload.sid!;
}

describe('revocation markers', () => {
  it('marks the session ended when it logs out', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const logout = await harness.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    expect(logout.status).toBe(204);
    expect(await env.REVOCATIONS!.get(sessionRevocationKey(sessionIdOf(tokens.accessToken)))).not.toBeNull();
  });

  it('marks every session of the user ended after logout everywhere', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const logoutAll = await harness.request('/auth/logout-all', { method: 'POST', token: tokens.accessToken });
    expect(logoutAll.status).toBe(204);
    expect(await env.REVOCATIONS!.get(userRevocationKey(tokens.user.id))).toBe(
      String(Math.ceil(harness.clock.now() / 1000)),
    );
  });

  it('still answers logout 204 when the marker cannot be written', async () => {
    const failing = {
      put: () => Promise.reject(new Error('KV is down')),
    } as unknown as KVNamespace;
    const harness = createHarness({ env: { REVOCATIONS: failing } });
    const { tokens } = await signedInUser(harness);
    const logout = await harness.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    expect(logout.status).toBe(204);
    expect(harness.logs.some((line) => line.includes('"revocation.publish_failed"'))).toBe(true);
    const after = await harness.request('/me', { token: tokens.accessToken });
    expect(after.status).toBe(401);
  });
});
