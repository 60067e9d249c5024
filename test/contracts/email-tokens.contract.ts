// EmailTokenStore (src/core/accounts/email-tokens.ts): mailed tokens kept by digest under their purpose, so
// a token is found only by the flow it was made for, until `retainUntil`. Nothing conditional:
// single use is the user store's conditional write.
import { expect } from 'vitest';
import type { EmailTokenRecord } from '../../src/core/accounts/email-tokens';
import { DAY, HOUR, T0, newDigest, setUp } from './fixtures';
import type { Contract } from './suite';

function resetRecord(overrides: Partial<EmailTokenRecord> = {}): EmailTokenRecord {
  return {
    purpose: 'reset_password',
    userId: crypto.randomUUID(),
    email: 'ada@example.com',
    credentialVersion: 3,
    expiresAt: T0 + HOUR,
    ...overrides,
  };
}

export const emailTokenStoreContract: Contract = ({ it }, open) => {
  it('reads back a record as it was stored', async () => {
    const { s } = await setUp(open);
    const digest = await newDigest();
    const change: EmailTokenRecord = {
      purpose: 'change_email',
      userId: crypto.randomUUID(),
      email: 'old@example.com',
      newEmail: 'new@example.com',
      sessionId: 'session-1',
      expiresAt: T0 + HOUR,
    };
    await s.emailTokens.put(digest, change, T0 + DAY);
    expect(await s.emailTokens.get('change_email', digest)).toEqual(change);
    const reset = resetRecord();
    const resetDigest = await newDigest();
    await s.emailTokens.put(resetDigest, reset, T0 + DAY);
    expect(await s.emailTokens.get('reset_password', resetDigest)).toEqual(reset);
  });

  it('finds a token only under the purpose it was made for', async () => {
    const { s } = await setUp(open);
    const digest = await newDigest();
    const reset = resetRecord();
    await s.emailTokens.put(digest, reset, T0 + DAY);
    expect(await s.emailTokens.get('verify_email', digest)).toBeNull();
    expect(await s.emailTokens.get('change_email', digest)).toBeNull();
    const verify: EmailTokenRecord = {
      purpose: 'verify_email',
      userId: reset.userId,
      email: reset.email,
      expiresAt: T0,
    };
    await s.emailTokens.put(digest, verify, T0 + DAY);
    expect(await s.emailTokens.get('verify_email', digest)).toEqual(verify);
    expect(await s.emailTokens.get('reset_password', digest)).toEqual(reset);
  });

  it('finds nothing for an unknown digest', async () => {
    const { s } = await setUp(open);
    expect(await s.emailTokens.get('verify_email', await newDigest())).toBeNull();
  });

  it('deletes the record of one purpose only', async () => {
    const { s } = await setUp(open);
    const digest = await newDigest();
    const reset = resetRecord();
    const verify: EmailTokenRecord = {
      purpose: 'verify_email',
      userId: reset.userId,
      email: reset.email,
      expiresAt: T0,
    };
    await s.emailTokens.put(digest, reset, T0 + DAY);
    await s.emailTokens.put(digest, verify, T0 + DAY);
    await s.emailTokens.delete('reset_password', digest);
    expect(await s.emailTokens.get('reset_password', digest)).toBeNull();
    expect(await s.emailTokens.get('verify_email', digest)).toEqual(verify);
    await s.emailTokens.delete('reset_password', digest);
  });

  it('keeps a record past its expiry until retainUntil, so a late click is told it expired', async () => {
    const { s, clock } = await setUp(open);
    const digest = await newDigest();
    const record = resetRecord({ expiresAt: T0 + HOUR });
    await s.emailTokens.put(digest, record, T0 + HOUR + DAY);
    clock.advance(HOUR + DAY - 1);
    expect(await s.emailTokens.get('reset_password', digest)).toEqual(record);
  });
};
