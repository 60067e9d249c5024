// The linking rules for an identity seen the first time, and the username it proposes.
import { describe, expect, it } from 'vitest';
import { candidateUsername, decideLinking } from '../../../src/core/identities/account-linking';
import type { OutsideClaims } from '../../../src/core/identities/outside-provider';
import type { User } from '../../../src/core/accounts/users';

const claims = (overrides: Partial<OutsideClaims> = {}): OutsideClaims => ({
  subject: 'sub-1',
  email: 'ada@example.com',
  emailVerified: true,
  preferredUsername: null,
  name: null,
  ...overrides,
});

const account = (emailVerifiedAt: number | null): User => ({
  id: 'u1',
  username: 'ada',
  email: 'ada@example.com',
  emailVerifiedAt,
  disabledAt: null,
  displayName: null,
  createdAt: 0,
  updatedAt: 0,
});

describe('decideLinking', () => {
  it('links when both the provider and the account verified the address', () => {
    expect(decideLinking(claims(), account(1))).toEqual({ kind: 'link', user: account(1) });
  });

  it('never links on an address the provider did not verify', () => {
    expect(decideLinking(claims({ emailVerified: false }), account(1))).toEqual({
      kind: 'refuse',
      reason: 'email_unverified',
    });
  });

  it('never links to an account that never verified its address (pre-hijacking)', () => {
    expect(decideLinking(claims(), account(null))).toEqual({ kind: 'refuse', reason: 'email_unverified' });
  });

  it('creates an account for an address nobody holds, verified or not', () => {
    expect(decideLinking(claims(), null)).toEqual({ kind: 'create' });
    expect(decideLinking(claims({ emailVerified: false }), null)).toEqual({ kind: 'create' });
  });

  it('refuses an identity without an address', () => {
    expect(decideLinking(claims({ email: null }), null)).toEqual({ kind: 'refuse', reason: 'no_email' });
  });
});

describe('candidateUsername', () => {
  it('takes the preferred username, else the address, in the username alphabet', () => {
    expect(candidateUsername(claims({ preferredUsername: 'Ada Lovelace!' }), 0)).toBe('ada_lovelace');
    expect(candidateUsername(claims(), 0)).toBe('ada');
    expect(candidateUsername(claims({ email: 'x@example.com' }), 0)).toBe('user_x');
    expect(candidateUsername(claims({ preferredUsername: 'Ｊｏｈｎ' }), 0)).toBe('john');
  });

  it('adds a random suffix after a taken name, and stays within 32 characters', () => {
    const long = claims({ preferredUsername: 'a'.repeat(40) });
    expect(candidateUsername(long, 0)).toHaveLength(32);
    const retried = candidateUsername(long, 1);
    expect(retried).toMatch(/^a+-[a-z0-9]{1,6}$/);
    expect(retried.length).toBeLessThanOrEqual(32);
  });
});
