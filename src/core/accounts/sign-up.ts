// Sign-up that signs in, for EMAIL_VERIFICATION=optional: the account is created (the
// verification mail still goes out) and a session starts at once, with no second password check.
// The address stays unverified until the link is used, and forgot-password keeps mailing only
// verified addresses, so an account made with someone else's address cannot be used to mail them.
import { type RegisterDeps, type RegisterInput, createAccount } from './accounts';
import { AuthError } from '../kit/errors';
import type { TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn } from '../sessions/sign-in';

export type SignUpDeps = RegisterDeps & SignInDeps;

export async function registerAndSignIn(
  services: SignUpDeps,
  input: RegisterInput & { userAgent: string },
): Promise<TokenResponse> {
  const user = await createAccount(services, input);
  // A new account: its password was just set (credential version 0) and it has no second factor.
  return finishSignIn(
    services,
    {
      method: 'sign_up',
      user,
      credentialVersion: 0,
      amr: ['pwd'],
      totpEnabled: false,
      counterKeys: [],
      refused: () => new AuthError('invalid_credentials', 'The account changed while it was being created. Sign in.'),
    },
    input,
  );
}
