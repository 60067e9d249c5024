// Every port's contract suite, named by its port, for the runners to run against each implementation.
import { emailSignInStoreContract } from './email-sign-ins.contract';
import { emailTokenStoreContract } from './email-tokens.contract';
import { eventStoreContract } from './events.contract';
import { expiredRecordStoreContract } from './expired-records.contract';
import { identityStoreContract } from './identities.contract';
import { loginStoreContract } from './login-store.contract';
import { mfaStoreContract } from './mfa-store.contract';
import { oauthClientStoreContract, oauthGrantStoreContract } from './oauth-provider.contract';
import { passkeyStoreContract } from './passkey-store.contract';
import { revocationPublisherContract } from './revocations.contract';
import { sessionRepositoryContract } from './sessions.contract';
import type { Contract } from './suite';
import { throttleStoreContract } from './throttle.contract';
import { userDirectoryContract } from './user-directory.contract';
import { userRepositoryContract } from './users.contract';

export const contracts: Array<[port: string, contract: Contract]> = [
  ['UserRepository', userRepositoryContract],
  ['SessionRepository', sessionRepositoryContract],
  ['LoginStore', loginStoreContract],
  ['MfaStore', mfaStoreContract],
  ['PasskeyStore', passkeyStoreContract],
  ['EmailTokenStore', emailTokenStoreContract],
  ['EmailSignInStore', emailSignInStoreContract],
  ['IdentityStore', identityStoreContract],
  ['ThrottleStore', throttleStoreContract],
  ['RevocationPublisher', revocationPublisherContract],
  ['UserDirectory', userDirectoryContract],
  ['ExpiredRecordStore', expiredRecordStoreContract],
  ['EventStore and WebhookStore', eventStoreContract],
  ['OAuthClientStore', oauthClientStoreContract],
  ['OAuthGrantStore', oauthGrantStoreContract],
];
