// The signed-in account's outside identities: listed, and unlinked unless the identity is the
// last way in (no password, no passkey, no other identity), which the store decides in the same
// statement that deletes, so two parallel unlinks cannot leave an account nobody can enter.
import { newEvent } from '../events/catalogue';
import { AuthError } from '../kit/errors';
import type { AccountServices } from '../services';
import type { OutsideIdentity } from './identity-store';

export interface IdentityView {
  id: string;
  provider: string;
  providerName: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export function identityView(
  services: Pick<AccountServices, 'outsideProviders'>,
  identity: OutsideIdentity,
): IdentityView {
  return {
    id: identity.id,
    provider: identity.provider,
    providerName: services.outsideProviders.find(identity.provider)?.name ?? identity.provider,
    email: identity.email,
    createdAt: new Date(identity.createdAt).toISOString(),
    lastUsedAt: identity.lastUsedAt === null ? null : new Date(identity.lastUsedAt).toISOString(),
  };
}

export async function listIdentities(
  services: Pick<AccountServices, 'identities' | 'outsideProviders'>,
  userId: string,
): Promise<IdentityView[]> {
  return (await services.identities.listIdentities(userId)).map((identity) => identityView(services, identity));
}

export async function unlinkIdentity(
  services: Pick<AccountServices, 'identities' | 'outsideProviders' | 'users' | 'clock' | 'log'>,
  userId: string,
  identityId: string,
): Promise<void> {
  const [user, identities] = await Promise.all([
    services.users.findById(userId),
    services.identities.listIdentities(userId),
  ]);
  const identity = identities.find((candidate) => candidate.id === identityId);
  if (!user || !identity) throw new AuthError('not_found', 'There is no such connected account.');
  const event = newEvent('identity.unlinked', user, services.clock.now(), {
    identityId,
    provider: identity.provider,
    providerName: identityView(services, identity).providerName,
  });
  const result = await services.identities.unlink(userId, identityId, event);
  if (result === 'not_found') throw new AuthError('not_found', 'There is no such connected account.');
  if (result === 'last_way_in') {
    throw new AuthError(
      'conflict',
      'This is the last way into the account. Set a password or add a passkey before disconnecting it.',
    );
  }
  services.log({ event: 'identity.unlinked', userId, identityId });
}
