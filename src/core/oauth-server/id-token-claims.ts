// What Latchkey tells a client about the person, by scope (OpenID Connect Core 5.4): `email` and
// `email_verified` for `email`; `preferred_username` and `name` for `profile`. `sub` is the
// Latchkey user id, the same for every client.
import type { User } from '../accounts/users';

export function claimsByScope(user: User, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('email')) {
    claims.email = user.email;
    claims.email_verified = user.emailVerifiedAt !== null;
  }
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    claims.name = user.displayName ?? user.username;
  }
  return claims;
}
