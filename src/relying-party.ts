// The WebAuthn relying party of a request: the RP ID passkeys are scoped to, and the page origins
// a ceremony may come from. Both default to APP_URL; without one (development only, readConfig
// refuses it in production) the RP ID is `localhost` and the origin is the request's own, since IP
// addresses are not valid RP IDs.
import type { Config } from './config';
import type { RelyingParty } from './core/services';

export function relyingPartyOf(config: Config, requestOrigin: string): RelyingParty {
  const appUrl = config.APP_URL ? new URL(config.APP_URL) : null;
  const origins = config.WEBAUTHN_ORIGINS.length > 0 ? config.WEBAUTHN_ORIGINS : [appUrl?.origin ?? requestOrigin];
  return {
    id: config.WEBAUTHN_RP_ID ?? appUrl?.hostname ?? 'localhost',
    name: config.APP_NAME,
    origins,
  };
}
