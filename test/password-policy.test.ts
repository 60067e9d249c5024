import { describe, expect, it } from 'vitest';
import {
  PASSWORD_MAX_LENGTH,
  assertPasswordPolicySupported,
  checkPasswordPolicy,
  countPasswordCharacters,
} from '../src/core/passwords/password-policy';
import commonPasswordSet from '../public/common-passwords.json' with { type: 'json' };
import { commonPasswordsOf } from '../src/core/passwords/common-passwords';

const common = commonPasswordsOf(commonPasswordSet);

const policy = { minLength: 8 };
const refusal = (password: string, context = {}, withPolicy = policy) => {
  const result = checkPasswordPolicy(password, context, withPolicy, common);
  return result.ok ? null : result.reason;
};

describe('password policy', () => {
  it('accepts a long, uncommon password unrelated to the account', () => {
    expect(
      checkPasswordPolicy('violet tractor sings', { username: 'alice', email: 'alice@example.com' }, policy, common),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses a password shorter than the minimum, with a message naming it', () => {
    const result = checkPasswordPolicy('v1olet7', {}, policy, common);
    expect(result).toEqual({ ok: false, reason: 'too_short', message: 'Use at least 8 characters.' });
  });

  it('applies a configured minimum above the default', () => {
    expect(refusal('violet tractor', {}, { minLength: 15 })).toBe('too_short');
    expect(refusal('violet tractors', {}, { minLength: 15 })).toBeNull();
  });

  it('refuses a password longer than 128 characters instead of truncating it', () => {
    expect(refusal('v'.repeat(PASSWORD_MAX_LENGTH))).toBeNull();
    const result = checkPasswordPolicy('v'.repeat(PASSWORD_MAX_LENGTH + 1), {}, policy, common);
    expect(result).toEqual({ ok: false, reason: 'too_long', message: 'Use at most 128 characters.' });
  });

  it('counts code points, not UTF-16 units: eight emoji pass and seven do not', () => {
    // Each of these emoji is one code point but two UTF-16 units.
    expect(refusal('🦊🐙🌵🚲🎻🧭🪁🫖')).toBeNull();
    expect(refusal('🦊🐙🌵🚲🎻🧭🪁')).toBe('too_short');
  });

  it('counts the NFC form, so decomposed accents count once', () => {
    const decomposed = 'e\u0301'.repeat(7); // 14 code points as typed, 7 once composed
    expect(countPasswordCharacters(decomposed)).toBe(7);
    expect(refusal(decomposed)).toBe('too_short');
  });

  it('has no composition rules: lower-case letters alone are enough', () => {
    expect(refusal('quietmeadowlark')).toBeNull();
  });

  it('refuses a common password whatever its case', () => {
    expect(refusal('password1')).toBe('common');
    expect(refusal('PassWord1')).toBe('common');
    expect(checkPasswordPolicy('iloveyou1', {}, policy, common)).toMatchObject({
      ok: false,
      reason: 'common',
      message: expect.any(String),
    });
  });

  it('refuses a password containing the username, whatever its case', () => {
    const result = checkPasswordPolicy('my-Alice-rocks!', { username: 'alice' }, policy, common);
    expect(result).toMatchObject({ ok: false, reason: 'contains_username' });
    if (!result.ok) expect(result.message).toBe('The password must not contain your username.');
  });

  it("refuses a password containing the email's local part, whatever its case", () => {
    expect(refusal('zebra-BOB.SMITH-9', { email: 'bob.smith@example.com' })).toBe('contains_email');
  });

  it('also refuses the local part without its "+tag"', () => {
    expect(refusal('zebra-bobsmith-9', { email: 'bobsmith+shop@example.com' })).toBe('contains_email');
  });

  it('does not look for local parts or usernames under 3 characters', () => {
    expect(refusal('jolly jo-jo jumps', { username: 'jo', email: 'jo@example.com' })).toBeNull();
  });

  it('does not refuse the email domain', () => {
    expect(refusal('example rocks 99', { email: 'carol@example.com' })).toBeNull();
  });

  it('checks the length rule before the others', () => {
    expect(refusal('alice', { username: 'alice' })).toBe('too_short');
  });

  it('refuses a minimum length below 8 at configuration time', () => {
    expect(() => assertPasswordPolicySupported({ minLength: 7 })).toThrow(RangeError);
    expect(() => checkPasswordPolicy('violet tractor sings', {}, { minLength: 6 }, common)).toThrow(RangeError);
  });

  it('refuses a minimum length above the maximum, which nothing could meet', () => {
    expect(() => assertPasswordPolicySupported({ minLength: PASSWORD_MAX_LENGTH + 1 })).toThrow(RangeError);
  });
});
