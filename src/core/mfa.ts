// Two-step sign-in with an authenticator app (TOTP) and recovery codes. The security decisions:
// a code works once (the accepted time step and a used recovery code are consumed by conditional
// writes, tied to the mfaToken's deletion), code guessing spends the account's login failure
// counter like password guessing, TOTP secrets are stored encrypted (data-encryption.ts) and
// recovery codes as digests, and nothing but the owner with password and code removes a factor
// (or support, through the admin API: admin.ts).
import { encodeBase32 } from './base32';
import { type ConfirmPasswordDeps, confirmPassword } from './account-changes';
import { dataCiphertextNeedsRotation, decryptData, encryptData } from './data-encryption';
import { AuthError } from './errors';
import { accountCounterKey, attemptLimits, counterKeysOf, lockedOut, logLock } from './login-throttle';
import type { MailDeliveryDeps } from './mail-delivery';
import type { ChallengeClaim, TotpFactor } from './mfa-store';
import { sendMfaNotice } from './mfa-mail';
import { createRecoveryCodes, digestRecoveryCode } from './recovery-codes';
import { digestToken, generateToken } from './random-token';
import { publishRevocation } from './revocations';
import type { AccountServices } from './services';
import { type Authenticated, type TokenResponse, issueTokens, sessionLifetime } from './session-flows';
import { newSession } from './sessions';
import { generateTotpSecret, parseTotpCode, totpKeyUri, verifyTotpCode } from './totp';

/** An mfaToken is good for five minutes and five wrong codes, whichever comes first. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MFA_MAX_FAILED_ATTEMPTS = 5;
export const MFA_METHODS = ['totp', 'recovery_code'] as const;

type MfaDeps = Pick<AccountServices, 'mfa' | 'dataKeys' | 'clock' | 'log' | 'defer'>;
type ChangeDeps = MfaDeps & ConfirmPasswordDeps & MailDeliveryDeps & Pick<AccountServices, 'throttle' | 'revocations'>;
export type MfaVerifyDeps = MfaDeps &
  MailDeliveryDeps &
  Pick<AccountServices, 'logins' | 'accessTokens' | 'settings' | 'defer'>;

const invalidCode = () =>
  new AuthError('invalid_code', 'The code is not valid.', [{ field: 'code', message: 'is not valid' }]);
const totpOff = () => new AuthError('conflict', 'Two-step sign-in is not on for this account.');

/** Binds a stored secret to its user: a ciphertext copied into another row does not decrypt. */
export function totpSecretAssociatedData(userId: string): string {
  return `totp-secret:${userId}`;
}

async function readSecret(services: MfaDeps, factor: TotpFactor): Promise<Uint8Array> {
  const secret = await decryptData(services.dataKeys, factor.secretCiphertext, totpSecretAssociatedData(factor.userId));
  // A wrong or missing key, or a tampered row: the operator's problem, never the user's.
  if (!secret) {
    services.log({ event: 'mfa.secret_unreadable', userId: factor.userId });
    throw new AuthError('unavailable', 'Two-step sign-in is not available right now.');
  }
  return secret;
}

/**
 * After a key rotation, a secret read with the previous key is stored again under the current one
 * the first time it is used, so the previous key can be retired once every user has signed in.
 * Conditional on the row still holding what was read: a set-up or removal meanwhile wins.
 */
async function reencryptSecret(services: MfaDeps, factor: TotpFactor, secret: Uint8Array): Promise<void> {
  const ciphertext = await encryptData(services.dataKeys, secret, totpSecretAssociatedData(factor.userId));
  if (await services.mfa.reencryptTotpSecret(factor.userId, factor.secretCiphertext, ciphertext)) {
    services.log({ event: 'mfa.secret_reencrypted', userId: factor.userId });
  }
}

/**
 * Checks a TOTP or recovery code and consumes it (with `challenge`, together with the challenge).
 * Returns the method that won, or null for a wrong, replayed or already used code.
 */
async function consumeSecondFactor(
  services: MfaDeps,
  factor: TotpFactor,
  code: string,
  challenge?: ChallengeClaim,
): Promise<'totp' | 'recovery_code' | null> {
  if (parseTotpCode(code) !== null) {
    const secret = await readSecret(services, factor);
    const step = await verifyTotpCode(secret, code, {
      now: services.clock.now(),
      lastAcceptedStep: factor.lastUsedStep,
    });
    if (step === null || !(await services.mfa.consumeTotpStep(factor.userId, step, challenge))) return null;
    if (dataCiphertextNeedsRotation(services.dataKeys, factor.secretCiphertext)) {
      services.defer(() => reencryptSecret(services, factor, secret));
    }
    return 'totp';
  }
  const digest = await digestRecoveryCode(code);
  return digest !== null && (await services.mfa.consumeRecoveryCode(factor.userId, digest, challenge))
    ? 'recovery_code'
    : null;
}

/** The answer to a right password of a user with TOTP on: an mfaToken, and no session yet. */
export async function startMfaChallenge(
  services: Pick<AccountServices, 'mfa' | 'clock'>,
  credential: { userId: string; passwordVersion: number },
) {
  const mfaToken = generateToken();
  await services.mfa.createChallenge(
    await digestToken(mfaToken),
    credential.userId,
    credential.passwordVersion,
    services.clock.now() + MFA_CHALLENGE_TTL_MS,
  );
  return new AuthError('mfa_required', 'Enter a code from your authenticator app or a recovery code.', [], {
    extensions: { mfaToken, methods: [...MFA_METHODS] },
  });
}

/** The second step of a sign-in: the mfaToken and a code give the login's tokens. */
export async function verifyMfa(
  services: MfaVerifyDeps,
  input: { mfaToken: string; code: string; userAgent: string },
): Promise<TokenResponse> {
  const now = services.clock.now();
  const claim: ChallengeClaim = {
    tokenDigest: await digestToken(input.mfaToken),
    now,
    maxFailedAttempts: MFA_MAX_FAILED_ATTEMPTS,
  };
  const challenge = await services.mfa.findChallenge(claim);
  const invalidToken = () => new AuthError('invalid_token', 'This sign-in has expired. Sign in again.');
  if (!challenge) throw invalidToken();
  // Each code is a guess like a password: reserved on the account's counter before it is checked.
  const { found, account } = await services.logins.reserveAccountAttempt(
    { username: challenge.username },
    attemptLimits(services.settings.loginThrottle),
    now,
  );
  if (account && !account.granted) {
    services.log({ event: 'login.throttled', userId: challenge.userId });
    throw lockedOut(account, now, 'Too many failed sign-in attempts. Try again later.');
  }
  logLock(services, account, challenge.userId);
  if (!found || found.user.id !== challenge.userId || !challenge.totp?.enabledAt) throw invalidToken();
  const method = await consumeSecondFactor(services, challenge.totp, input.code, claim);
  if (!method) {
    await services.mfa.recordChallengeFailure(claim);
    services.log({ event: 'mfa.challenge_failed', userId: challenge.userId });
    throw invalidCode();
  }
  const { user } = found;
  // Under the password version the first step checked: if the password has changed since, the
  // session is not written (and the challenge was no longer live for the code either).
  const { session, refreshToken, refreshDigest } = await newSession({
    userId: user.id,
    userAgent: input.userAgent,
    passwordVersion: challenge.passwordVersion,
    now,
    lifetime: sessionLifetime(services),
  });
  if (method === 'recovery_code') {
    services.log({ event: 'mfa.recovery_code_used', userId: user.id });
    sendMfaNotice(services, 'recovery_code_used', user);
  }
  // As in login(): a password changed since the check leaves this sign-in with nothing.
  if (!(await services.logins.completeLogin(session, refreshDigest, await counterKeysOf(user)))) throw invalidToken();
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id, method });
  return issueTokens(services, user, session, refreshToken);
}

/** Starts (or restarts) the set-up: a new pending secret, shown once as text and as a URI. */
export async function startTotpSetup(services: ChangeDeps, auth: Authenticated, password: string) {
  await confirmPassword(services, auth, password, 'password');
  services.defer(() => services.throttle.clear([accountCounterKey(auth.user.id)]));
  if (services.dataKeys.currentVersion === undefined) {
    throw new AuthError('unavailable', 'Two-step sign-in needs DATA_ENCRYPTION_KEY, which this server lacks.');
  }
  const secret = generateTotpSecret();
  const ciphertext = await encryptData(services.dataKeys, secret, totpSecretAssociatedData(auth.user.id));
  if (!(await services.mfa.savePendingTotp(auth.user.id, ciphertext, services.clock.now()))) {
    throw new AuthError('conflict', 'Two-step sign-in is already on. Turn it off first to set up a new app.');
  }
  return {
    secret: encodeBase32(secret),
    otpauthUri: totpKeyUri({ issuer: services.settings.mail.appName, accountName: auth.user.username, secret }),
  };
}

/** Turns TOTP on with a first code of the pending secret; answers the recovery codes, once. */
export async function confirmTotp(services: ChangeDeps, auth: Authenticated, code: string) {
  const factor = await services.mfa.findTotpFactor(auth.user.id);
  if (!factor || factor.enabledAt !== null) {
    throw new AuthError('conflict', factor ? 'Two-step sign-in is already on.' : 'Start the set-up first.');
  }
  const now = services.clock.now();
  const step = await verifyTotpCode(await readSecret(services, factor), code, { now, lastAcceptedStep: null });
  if (step === null) throw invalidCode();
  const { codes, digests } = await createRecoveryCodes();
  const enabled = await services.mfa.enableTotp({
    userId: auth.user.id,
    secretCiphertext: factor.secretCiphertext,
    acceptedStep: step,
    recoveryCodeDigests: digests,
    keepSessionId: auth.session.id,
    now,
  });
  if (!enabled) throw new AuthError('conflict', 'The set-up changed meanwhile. Start it again.');
  services.log({ event: 'mfa.enabled', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, now));
  sendMfaNotice(services, 'mfa_enabled', auth.user);
  return { recoveryCodes: codes };
}

export async function getMfaStatus(services: Pick<AccountServices, 'mfa'>, auth: Authenticated) {
  const { totp, recoveryCodesRemaining } = await services.mfa.findMfaStatus(auth.user.id);
  const enabledAt = totp?.enabledAt ?? null;
  return {
    totp: { enabled: enabledAt !== null, enabledAt: enabledAt === null ? null : new Date(enabledAt).toISOString() },
    recoveryCodes: { remaining: recoveryCodesRemaining },
  };
}

/** Password and a code of the factor, as changes to an enabled factor require. */
async function confirmPasswordAndCode(
  services: ChangeDeps,
  auth: Authenticated,
  input: { password: string; code: string },
): Promise<void> {
  await confirmPassword(services, auth, input.password, 'password');
  services.defer(() => services.throttle.clear([accountCounterKey(auth.user.id)]));
  const factor = await services.mfa.findTotpFactor(auth.user.id);
  if (!factor?.enabledAt) throw totpOff();
  const method = await consumeSecondFactor(services, factor, input.code);
  if (!method) {
    services.log({ event: 'mfa.challenge_failed', userId: auth.user.id });
    throw invalidCode();
  }
  if (method === 'recovery_code') services.log({ event: 'mfa.recovery_code_used', userId: auth.user.id });
}

export async function regenerateRecoveryCodes(
  services: ChangeDeps,
  auth: Authenticated,
  input: { password: string; code: string },
) {
  await confirmPasswordAndCode(services, auth, input);
  const { codes, digests } = await createRecoveryCodes();
  if (!(await services.mfa.replaceRecoveryCodes(auth.user.id, digests, services.clock.now()))) throw totpOff();
  services.log({ event: 'mfa.recovery_codes_regenerated', userId: auth.user.id });
  return { recoveryCodes: codes };
}

export async function disableTotp(
  services: ChangeDeps,
  auth: Authenticated,
  input: { password: string; code: string },
): Promise<void> {
  await confirmPasswordAndCode(services, auth, input);
  await services.mfa.disableTotp(auth.user.id, auth.session.id);
  services.log({ event: 'mfa.disabled', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
  sendMfaNotice(services, 'mfa_disabled', auth.user);
}
