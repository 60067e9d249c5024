// The one door of every sign-in. A way in (password, second step, passkey, sign-up; next: email,
// outside providers, OpenID Connect) only proves who the person is and calls `finishSignIn`, which
// decides everything else in one place: the account's state (disabled, verification policy),
// whether a second factor is still owed (the `mfa_required` answer), the session (one conditional
// write that refuses a credential changed or an account disabled since the proof), the one
// `login.succeeded` log line with its method, and the tokens, whose `amr` says how it was proven.
import { AuthError } from '../kit/errors';
import { digestToken, generateToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import { type TokenResponse, issueTokens, sessionLifetime } from './session-flows';
import { type AuthenticationMethodReference, newSession } from './sessions';
import type { User } from '../accounts/users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishStoredEvent } from '../events/dispatch';
import { type NewDeviceDeps, newDeviceNotice } from '../events/new-device';

/** Every way in, as the success log line and the session name it. */
export type SignInMethod =
  | 'password'
  | 'totp'
  | 'recovery_code'
  | 'passkey'
  | 'sign_up'
  | 'email_link'
  | 'email_code'
  /** An outside identity provider (core/identities/outside-sign-in.ts). */
  | 'oauth';

/** A first step's references with a second factor's: `otp` and `mfa` added. */
export function withSecondFactor(first: AuthenticationMethodReference[]): AuthenticationMethodReference[] {
  return [...new Set<AuthenticationMethodReference>([...first, 'otp', 'mfa'])];
}

/** What a way in proved, handed to the door. */
export interface SignInProof {
  method: SignInMethod;
  user: User;
  /** The credential version the proof was checked under: the session starts bound to it. */
  credentialVersion: number;
  amr: AuthenticationMethodReference[];
  /**
   * Whether the account has two-step sign-in on, when the way in read it with its proof; a proof
   * without `mfa` then owes a code. Left out, the door reads it (only for a proof without `mfa`).
   */
  totpEnabled?: boolean;
  /** Throttle counters cleared in the same write that starts the session. */
  counterKeys: string[];
  /** The answer when the session cannot start because the account changed since the proof. */
  refused: () => AuthError;
  /** More fields of the success log line (e.g. which passkey). */
  logFields?: Record<string, unknown>;
}

export type SignInDeps = EventServices &
  NewDeviceDeps &
  Pick<AccountServices, 'logins' | 'mfa' | 'throttle' | 'accessTokens' | 'clock' | 'settings' | 'log' | 'defer'>;

/** An mfaToken is good for five minutes and five tries, whichever comes first. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MFA_METHODS = ['totp', 'recovery_code'] as const;

/** The answer to a single-factor proof of an account with TOTP on: an mfaToken, and no session yet. */
async function startMfaChallenge(services: Pick<AccountServices, 'mfa' | 'clock'>, proof: SignInProof) {
  const mfaToken = generateToken();
  await services.mfa.createChallenge({
    tokenDigest: await digestToken(mfaToken),
    userId: proof.user.id,
    credentialVersion: proof.credentialVersion,
    amr: proof.amr,
    expiresAt: services.clock.now() + MFA_CHALLENGE_TTL_MS,
  });
  return new AuthError('mfa_required', 'Enter a code from your authenticator app or a recovery code.', [], {
    extensions: { mfaToken, methods: [...MFA_METHODS] },
  });
}

async function totpIsOn(services: Pick<AccountServices, 'mfa'>, userId: string): Promise<boolean> {
  return (await services.mfa.findTotpFactor(userId))?.enabledAt != null;
}

export async function finishSignIn(
  services: SignInDeps,
  proof: SignInProof,
  input: { userAgent: string },
): Promise<TokenResponse> {
  const { user, method } = proof;
  // These answers come only after the proof, so they tell nothing to someone without it; the
  // proof's counters are cleared, since it was right.
  if (user.disabledAt !== null) {
    if (proof.counterKeys.length > 0) services.defer(() => services.throttle.clear(proof.counterKeys));
    services.log({ event: 'login.failed', userId: user.id, method, reason: 'account_disabled' });
    throw new AuthError('account_disabled', 'This account has been disabled.');
  }
  if (user.emailVerifiedAt === null && services.settings.emailVerification === 'required') {
    if (proof.counterKeys.length > 0) services.defer(() => services.throttle.clear(proof.counterKeys));
    services.log({ event: 'login.failed', userId: user.id, method, reason: 'email_not_verified' });
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  // The counters stay as they are: they are cleared only once the second factor is verified too,
  // so a known password does not reset the budget for guessing codes.
  if (!proof.amr.includes('mfa') && (proof.totpEnabled ?? (await totpIsOn(services, user.id)))) {
    services.log({ event: 'login.mfa_required', userId: user.id, method });
    throw await startMfaChallenge(services, proof);
  }
  const { session, refreshToken, refreshDigest } = await newSession({
    userId: user.id,
    userAgent: input.userAgent,
    credentialVersion: proof.credentialVersion,
    amr: proof.amr,
    now: services.clock.now(),
    lifetime: sessionLifetime(services),
  });
  // Stored only while the credential is still the one the proof was checked under and the account
  // is enabled: a reset, change, disable or deletion that committed meanwhile leaves nothing.
  const event = newEvent('session.created', user, session.createdAt, {
    sessionId: session.id,
    method,
    device: session.userAgent,
  });
  const completed = await services.logins.completeLogin(session, refreshDigest, proof.counterKeys, event);
  if (!completed.started) {
    services.log({ event: 'login.failed', userId: user.id, method, reason: 'account_changed' });
    throw proof.refused();
  }
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id, method, ...proof.logFields });
  publishStoredEvent(services, completed.event, newDeviceNotice(services, user));
  return issueTokens(services, user, session, refreshToken);
}
