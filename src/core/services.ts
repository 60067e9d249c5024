// What the account flows need from the outside world, as plain interfaces. src/services.ts
// builds these from the Worker's bindings; tests may build them directly.
import type { AccessTokenIssuer } from './sessions/access-tokens';
import type { UserDirectory } from './admin/user-directory';
import type { Clock } from './kit/clock';
import type { DataEncryptionKeys } from './kit/data-encryption';
import type { EmailTokenStore } from './accounts/email-tokens';
import type { ClientLocation, EventQueue, EventStore, WebhookStore } from './events/event-store';
import type { EmailSignInStore } from './email-sign-in/email-sign-in-store';
import type { IdentityStore } from './identities/identity-store';
import type { OutsideProviders } from './identities/outside-provider';
import type { MailContext, Mailer } from './mail/mail';
import type { MfaStore } from './mfa/mfa-store';
import type { OAuthClientStore } from './oauth-server/oauth-client-store';
import type { OAuthGrantStore } from './oauth-server/oauth-grant-store';
import type { OpenIdKeys } from './oauth-server/signing-keys';
import type { PasskeyStore } from './passkeys/passkey-store';
import type { PasswordHasher } from './passwords/password-hasher';
import type { RevocationPublisher } from './sessions/revocations';
import type { SessionRepository } from './sessions/sessions';
import type { LoginStore, LoginThrottleSettings } from './passwords/login-store';
import type { MailQuotaSettings, ThrottleStore } from './mail/throttle';
import type { UserRepository } from './accounts/users';

export interface AccountSettings {
  sessionTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  accessTokenTtlSeconds: number;
  emailTokenTtlSeconds: number;
  refreshGraceSeconds: number;
  /** `required`: sign-in waits for the verified address; `optional`: sign-up signs in at once. */
  emailVerification: 'required' | 'optional';
  /** Mail the person when a sign-in comes from a browser or device not seen for 90 days. */
  newDeviceNotice: boolean;
  /**
   * Whether a webhook endpoint may name this machine or a private network by address (a local
   * receiver in development); in production such a URL would point the Worker inward.
   */
  webhooksToPrivateAddresses: boolean;
  /** Sign-in by email (a mailed link and code), and whether it may create an account. */
  emailSignIn: { enabled: boolean; signUp: boolean };
  loginThrottle: LoginThrottleSettings;
  mailQuota: MailQuotaSettings;
  mail: MailContext;
}

/** Checks a new password against the policy; returns a human reason to refuse it, or null. */
export type PasswordPolicyCheck = (
  password: string,
  context: { username: string; email: string },
) => Promise<string | null>;

/** Who the passkeys are for: the WebAuthn RP ID, its display name, and the allowed page origins. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: readonly string[];
}

export interface AccountServices {
  users: UserRepository;
  passkeys: PasskeyStore;
  relyingParty: RelyingParty;
  sessions: SessionRepository;
  logins: LoginStore;
  emailTokens: EmailTokenStore;
  /** Pending sign-ins by email (email-sign-in/). */
  emailSignIns: EmailSignInStore;
  /** Outside identities and pending redirects to their providers (identities/). */
  identities: IdentityStore;
  /** The configured outside identity providers (OAUTH_PROVIDERS). */
  outsideProviders: OutsideProviders;
  throttle: ThrottleStore;
  /** Two-step sign-in: TOTP factors, recovery codes and sign-in challenges (mfa.ts). */
  mfa: MfaStore;
  /** Encrypts secrets the server must read back, such as TOTP secrets. */
  dataKeys: DataEncryptionKeys;
  /** The admin API's listing of users. */
  userDirectory: UserDirectory;
  /** Events out (events/): the outbox and activity trail, webhook endpoints, the delivery queue. */
  events: EventStore;
  webhooks: WebhookStore;
  eventQueue: EventQueue;
  /** Tells Workers that verify tokens on their own that sessions ended (src/verifier). */
  revocations: RevocationPublisher;
  accessTokens: AccessTokenIssuer;
  mailer: Mailer;
  clock: Clock;
  settings: AccountSettings;
  passwords: PasswordHasher;
  checkNewPassword: PasswordPolicyCheck;
  /** Roughly where the request came from (request.cf), for the new-device notice; absent off Workers. */
  clientLocation?: () => ClientLocation | null;
  /** Runs work after the response (waitUntil), so answers never wait for or reveal mail. */
  defer(task: () => Promise<void>): void;
  /** Latchkey as an OpenID Provider: the relying parties it serves, and what it issued them. */
  oauthClients: OAuthClientStore;
  oauthGrants: OAuthGrantStore;
  /** The ID-token keys; null when OIDC_RSA_PRIVATE_JWK is unset (the provider is then off). */
  openIdKeys: OpenIdKeys | null;
  /** Records one security event as a structured log line. Never pass secrets. */
  log(event: { event: string } & Record<string, unknown>): void;
}
