// Two-step sign-in with an authenticator app (TOTP) and recovery codes. The security decisions:
// a code works once (the accepted time step and a used recovery code are consumed by conditional
// writes, tied to the mfaToken's deletion), code guessing spends the account's login failure
// counter like password guessing, TOTP secrets are stored encrypted (data-encryption.ts) and
// recovery codes as digests, and nothing but the owner with password and code removes a factor
// (or support, through the admin API: admin.ts).
import { encodeBase32 } from '../kit/base32';
import { encryptData } from '../kit/data-encryption';
import { AuthError } from '../kit/errors';
import { attemptLimits, counterKeysOf, lockedOut, logLock } from '../passwords/login-throttle';
import type { MailDeliveryDeps } from '../mail/mail-delivery';
import type { ChallengeClaim } from './mfa-store';
import { sendMfaNotice } from './mfa-mail';
import {
  type ConfirmIdentityDeps,
  type IdentityProof,
  assertEmailVerifiedForFactors,
  confirmIdentity,
} from '../sessions/reauthentication';
import { createRecoveryCodes } from './recovery-codes';
import { digestToken } from '../kit/random-token';
import { publishRevocation } from '../sessions/revocations';
import {
  type SecondFactorDeps,
  consumeSecondFactor,
  invalidCode,
  readSecret,
  totpSecretAssociatedData,
} from './second-factor';
import type { AccountServices } from '../services';
import type { Authenticated, TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn, withSecondFactor } from '../sessions/sign-in';
import { generateTotpSecret, totpKeyUri, verifyTotpCode } from './totp';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

/** An mfaToken is good for five tries (and five minutes, sign-in.ts). */
export const MFA_MAX_FAILED_ATTEMPTS = 5;
/** A pending set-up takes five tries at its first code; then a new secret is needed. */
export const MFA_MAX_SETUP_ATTEMPTS = 5;

const totpOff = () => new AuthError('conflict', 'Two-step sign-in is not on for this account.');

type ChangeDeps = ConfirmIdentityDeps & MailDeliveryDeps & EventServices & Pick<AccountServices, 'revocations'>;
export type MfaVerifyDeps = SecondFactorDeps & MailDeliveryDeps & SignInDeps;

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
  // Counts this try before its code is checked: five tries per mfaToken, in parallel too.
  const challenge = await services.mfa.reserveChallengeAttempt(claim);
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
    services.log({ event: 'mfa.challenge_failed', userId: challenge.userId });
    throw invalidCode();
  }
  const { user } = found;
  if (method === 'recovery_code') {
    services.log({ event: 'mfa.recovery_code_used', userId: user.id });
    sendMfaNotice(services, 'recovery_code_used', user);
  }
  // Under the credential version the first step checked: if the credential changed since (or the
  // account was disabled), the door starts no session (and the challenge was no longer live for
  // the code either).
  return finishSignIn(
    services,
    {
      method,
      user,
      credentialVersion: challenge.credentialVersion,
      amr: withSecondFactor(challenge.amr),
      totpEnabled: true,
      counterKeys: await counterKeysOf(user),
      refused: invalidToken,
    },
    input,
  );
}

/** Starts (or restarts) the set-up: a new pending secret, shown once as text and as a URI. */
export async function startTotpSetup(services: ChangeDeps, auth: Authenticated, proof: IdentityProof) {
  assertEmailVerifiedForFactors(auth);
  // No code: with TOTP on, nothing is set up (409 below).
  await confirmIdentity(services, auth, proof, { askCode: false });
  if (services.dataKeys.currentVersion === undefined) {
    throw new AuthError('unavailable', 'Two-step sign-in needs DATA_ENCRYPTION_KEY, which this server lacks.');
  }
  const secret = generateTotpSecret();
  const ciphertext = await encryptData(services.dataKeys, secret, totpSecretAssociatedData(auth.user.id));
  if (!(await services.mfa.savePendingTotp(auth.user.id, ciphertext, services.clock.now()))) throw alreadyOn();
  return {
    secret: encodeBase32(secret),
    otpauthUri: totpKeyUri({ issuer: services.settings.mail.appName, accountName: auth.user.username, secret }),
  };
}

const alreadyOn = () =>
  new AuthError('conflict', 'Two-step sign-in is already on. Turn it off first to set up a new app.');

/**
 * Turns TOTP on with a first code of the pending secret; answers the recovery codes, once. Each
 * code is counted before it is checked, so someone holding a stolen session gets five guesses at
 * the set-up code before the pending secret is spent.
 */
export async function confirmTotp(services: ChangeDeps, auth: Authenticated, code: string) {
  assertEmailVerifiedForFactors(auth);
  const factor = await services.mfa.findTotpFactor(auth.user.id);
  if (!factor || factor.enabledAt !== null) {
    throw new AuthError('conflict', factor ? 'Two-step sign-in is already on.' : 'Start the set-up first.');
  }
  if (!(await services.mfa.reserveSetupAttempt(auth.user.id, factor.secretCiphertext, MFA_MAX_SETUP_ATTEMPTS))) {
    services.log({ event: 'mfa.setup_exhausted', userId: auth.user.id });
    throw new AuthError('conflict', 'Too many wrong codes for this set-up. Start the set-up again for a new secret.');
  }
  const now = services.clock.now();
  const step = await verifyTotpCode(await readSecret(services, factor), code, { now, lastAcceptedStep: null });
  if (step === null) {
    services.log({ event: 'mfa.setup_failed', userId: auth.user.id });
    throw invalidCode();
  }
  const { codes, digests } = await createRecoveryCodes();
  const enabledEvent = newEvent('mfa.enabled', auth.user, now, { factor: 'totp' });
  const enabled = await services.mfa.enableTotp({
    userId: auth.user.id,
    secretCiphertext: factor.secretCiphertext,
    acceptedStep: step,
    recoveryCodeDigests: digests,
    keepSessionId: auth.session.id,
    now,
    event: enabledEvent,
  });
  if (!enabled) throw new AuthError('conflict', 'The set-up changed meanwhile. Start it again.');
  publishEvent(services, enabledEvent);
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

export async function regenerateRecoveryCodes(services: ChangeDeps, auth: Authenticated, input: IdentityProof) {
  await confirmIdentity(services, auth, input, { needsTotp: true });
  const { codes, digests } = await createRecoveryCodes();
  if (!(await services.mfa.replaceRecoveryCodes(auth.user.id, digests, services.clock.now()))) throw totpOff();
  services.log({ event: 'mfa.recovery_codes_regenerated', userId: auth.user.id });
  // A new set is a lasting way around the app: the owner hears of it like of the other changes.
  sendMfaNotice(services, 'recovery_codes_regenerated', auth.user);
  return { recoveryCodes: codes };
}

export async function disableTotp(services: ChangeDeps, auth: Authenticated, input: IdentityProof): Promise<void> {
  await confirmIdentity(services, auth, input, { needsTotp: true });
  const event = newEvent('mfa.disabled', auth.user, services.clock.now(), { factor: 'totp', by: 'user' });
  await services.mfa.disableTotp(auth.user.id, auth.session.id, event);
  publishEvent(services, event);
  services.log({ event: 'mfa.disabled', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
  sendMfaNotice(services, 'mfa_disabled', auth.user);
}
