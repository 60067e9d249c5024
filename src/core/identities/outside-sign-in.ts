// Sign-in with an outside identity provider. The redirect carries PKCE (S256), `state` and a
// `nonce`; the browser keeps the PKCE verifier in a short-lived cookie and the database keeps the
// state's digest with the verifier's, so the callback is accepted once, in the browser that
// started it (a forged or replayed callback finds nothing to take). What the provider proves ends
// at the one door (sessions/sign-in.ts), which still asks a second factor the account has on.
import { s256CodeChallenge } from '../kit/encoding';
import { AuthError } from '../kit/errors';
import { digestToken, generateToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import type { TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn } from '../sessions/sign-in';
import type { User } from '../accounts/users';
import { type ResendVerificationDeps, resendVerification } from '../accounts/accounts';
import { newEvent } from '../events/catalogue';
import { candidateUsername, decideLinking } from './account-linking';
import type { OutsideIdentity } from './identity-store';
import type { OutsideClaims, OutsideProvider, OutsideProviderFailure } from './outside-provider';

/** How long the browser has to come back from the provider. */
export const OUTSIDE_AUTHORIZATION_TTL_MS = 10 * 60 * 1000;
const USERNAME_ATTEMPTS = 5;

export type StartOutsideDeps = Pick<AccountServices, 'identities' | 'outsideProviders' | 'clock' | 'log'>;
export type FinishOutsideDeps = SignInDeps &
  ResendVerificationDeps &
  Pick<AccountServices, 'identities' | 'outsideProviders' | 'users'>;

export type OutsideRefusal =
  | OutsideProviderFailure
  /** No pending authorization for this state in this browser: forged, replayed or expired. */
  | 'invalid_state'
  | 'email_unverified'
  | 'no_email'
  /** Linking: the identity already belongs to another account. */
  | 'identity_taken'
  | 'account_disabled'
  | 'email_not_verified';

export type OutsideSignInResult =
  | { kind: 'signed_in'; tokens: TokenResponse; returnTo: string | null }
  | { kind: 'second_step'; mfaToken: string; returnTo: string | null }
  | { kind: 'linked'; provider: string; returnTo: string | null }
  | { kind: 'refused'; reason: OutsideRefusal; provider: string };

export function findOutsideProvider(services: Pick<AccountServices, 'outsideProviders'>, id: string): OutsideProvider {
  const provider = services.outsideProviders.find(id);
  if (!provider) throw new AuthError('not_found', 'There is no such sign-in provider.');
  return provider;
}

/**
 * The provider's URL to send the browser to, and the verifier the browser must keep (in its
 * cookie) until the callback. `linkUserId` links the identity to that signed-in account instead.
 */
export async function startOutsideSignIn(
  services: StartOutsideDeps,
  input: { provider: string; redirectUri: string; returnTo: string | null; linkUserId?: string },
): Promise<{ url: URL; browserKey: string }> {
  const provider = findOutsideProvider(services, input.provider);
  // The verifier is 43 base64url characters (RFC 7636 section 4.1), the state and nonce 256 bits.
  const [codeVerifier, state, nonce] = [generateToken(), generateToken(), generateToken()];
  const url = await provider.authorizationUrl({
    state,
    nonce,
    codeChallenge: await s256CodeChallenge(codeVerifier),
    redirectUri: input.redirectUri,
  });
  const now = services.clock.now();
  await services.identities.saveAuthorization(
    {
      stateDigest: await digestToken(state),
      provider: provider.id,
      verifierDigest: await digestToken(codeVerifier),
      nonce,
      linkUserId: input.linkUserId ?? null,
      returnTo: input.returnTo,
      expiresAt: now + OUTSIDE_AUTHORIZATION_TTL_MS,
    },
    now,
  );
  services.log({ event: 'outside_sign_in.started', provider: provider.id, userId: input.linkUserId });
  return { url, browserKey: codeVerifier };
}

/** The provider's callback: checked, exchanged, then a sign-in, a new account or a link. */
export async function finishOutsideSignIn(
  services: FinishOutsideDeps,
  input: {
    provider: string;
    callback: URLSearchParams;
    browserKey: string | undefined;
    redirectUri: string;
    userAgent: string;
  },
): Promise<OutsideSignInResult> {
  const provider = findOutsideProvider(services, input.provider);
  const refused = (reason: OutsideRefusal): OutsideSignInResult => {
    services.log({ event: 'outside_sign_in.refused', provider: provider.id, reason });
    return { kind: 'refused', reason, provider: provider.id };
  };
  const state = input.callback.get('state');
  if (!state || !input.browserKey || state.length > 512 || input.browserKey.length > 512)
    return refused('invalid_state');
  const now = services.clock.now();
  const pending = await services.identities.takeAuthorization(
    await digestToken(state),
    await digestToken(input.browserKey),
    now,
  );
  if (!pending || pending.provider !== provider.id) return refused('invalid_state');
  const result = await provider.complete({
    callback: input.callback,
    state,
    nonce: pending.nonce,
    codeVerifier: input.browserKey,
    redirectUri: input.redirectUri,
  });
  if (!result.ok) return refused(result.reason);
  const { claims } = result;

  if (pending.linkUserId) {
    const outcome = await linkTo(services, pending.linkUserId, provider, claims, now);
    if (outcome !== 'linked') return refused(outcome);
    services.log({ event: 'identity.linked', userId: pending.linkUserId, provider: provider.id });
    return { kind: 'linked', provider: provider.id, returnTo: pending.returnTo };
  }

  const account = await accountFor(services, provider, claims, now);
  if ('refusal' in account) return refused(account.refusal);
  const found = await services.users.findWithCredential({ id: account.user.id });
  if (!found || found.user.id !== account.user.id) return refused('invalid_state');
  try {
    const tokens = await finishSignIn(
      services,
      {
        method: 'oauth',
        user: found.user,
        credentialVersion: found.credential.credentialVersion,
        // RFC 8176: federated authentication. A second factor the account has on is still owed.
        amr: ['fed'],
        counterKeys: [],
        refused: () => new AuthError('invalid_token', 'The account changed during the sign-in. Try again.'),
        logFields: { provider: provider.id },
      },
      input,
    );
    services.defer(() => services.identities.markUsed(account.identityId, services.clock.now()));
    return { kind: 'signed_in', tokens, returnTo: pending.returnTo };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.code === 'mfa_required') {
      return { kind: 'second_step', mfaToken: error.extensions!.mfaToken as string, returnTo: pending.returnTo };
    }
    if (error.code === 'account_disabled' || error.code === 'email_not_verified') return refused(error.code);
    throw error;
  }
}

/** The identity.linked event of `identity`, for the write that links it. */
function linkedEvent(user: Pick<User, 'id' | 'username' | 'email'>, identity: OutsideIdentity, providerName: string) {
  return newEvent('identity.linked', user, identity.createdAt, {
    identityId: identity.id,
    provider: identity.provider,
    providerName,
  });
}

function newIdentity(userId: string, provider: string, claims: OutsideClaims, now: number): OutsideIdentity {
  return {
    id: crypto.randomUUID(),
    userId,
    provider,
    subject: claims.subject,
    email: claims.email,
    createdAt: now,
    lastUsedAt: null,
  };
}

/** The account this identity signs in to: linked already, linked now by address, or made now. */
async function accountFor(
  services: FinishOutsideDeps,
  { id: provider, name: providerName }: OutsideProvider,
  claims: OutsideClaims,
  now: number,
): Promise<{ user: User; identityId: string } | { refusal: OutsideRefusal }> {
  // Parallel first sign-ins race on the unique indexes; the loser finds the winner's link.
  for (let attempt = 0; attempt < USERNAME_ATTEMPTS; attempt += 1) {
    const linked = await services.identities.findIdentity(provider, claims.subject);
    if (linked) {
      const user = await services.users.findById(linked.userId);
      if (!user) return { refusal: 'invalid_state' };
      return { user, identityId: linked.id };
    }
    const owner = claims.email ? await services.users.findByEmail(claims.email) : null;
    const decision = decideLinking(claims, owner);
    if (decision.kind === 'refuse') return { refusal: decision.reason };
    if (decision.kind === 'link') {
      const identity = newIdentity(decision.user.id, provider, claims, now);
      if ((await services.identities.link(identity, linkedEvent(decision.user, identity, providerName))).ok) {
        services.log({ event: 'identity.linked', userId: decision.user.id, provider, by: 'verified_email' });
        return { user: decision.user, identityId: identity.id };
      }
      continue;
    }
    const userId = crypto.randomUUID();
    const identity = newIdentity(userId, provider, claims, now);
    const newUser = { id: userId, username: candidateUsername(claims, attempt), email: claims.email! };
    const created = await services.identities.createUserWithIdentity(
      {
        ...newUser,
        passwordHash: null,
        displayName: claims.name?.slice(0, 100) ?? null,
        now,
        emailVerified: claims.emailVerified,
      },
      identity,
      [
        newEvent('user.created', newUser, now, { method: 'oauth', provider }),
        linkedEvent(newUser, identity, providerName),
      ],
    );
    if (created.ok) {
      services.log({ event: 'user.registered', userId, method: 'oauth', provider });
      // An address the provider did not verify is verified the usual way, by a mailed link.
      if (!claims.emailVerified) await resendVerification(services, created.user.email);
      return { user: created.user, identityId: identity.id };
    }
    // `email` or `identity`: someone else won the race; the next round finds what they made.
  }
  return { refusal: 'invalid_state' };
}

async function linkTo(
  services: FinishOutsideDeps,
  userId: string,
  { id: provider, name: providerName }: OutsideProvider,
  claims: OutsideClaims,
  now: number,
): Promise<'linked' | 'identity_taken' | 'invalid_state'> {
  const existing = await services.identities.findIdentity(provider, claims.subject);
  if (existing) return existing.userId === userId ? 'linked' : 'identity_taken';
  const user = await services.users.findById(userId);
  if (!user) return 'invalid_state';
  const identity = newIdentity(userId, provider, claims, now);
  if ((await services.identities.link(identity, linkedEvent(user, identity, providerName))).ok) return 'linked';
  const winner = await services.identities.findIdentity(provider, claims.subject);
  return winner?.userId === userId ? 'linked' : 'identity_taken';
}
