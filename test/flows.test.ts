import { describe, expect, it } from 'vitest';
import { createHarness, signedInUser } from './support/harness';

describe('account lifecycle', () => {
  it('registers, verifies, logs in and reads /me', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const me = await harness.request('/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: identity.username, email: identity.email, emailVerified: true });
  });
});
