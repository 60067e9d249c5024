// Better Auth with the plugins that match Latchkey's features, for the size comparison only
// (`npm run bench` builds it with wrangler deploy --dry-run; it is never served). Latchkey has
// or is landing: sign-in by username or email, TOTP with recovery codes, passkeys, an admin API,
// signed access tokens with a JWKS, bearer tokens, a breached-password check, sign-in by mailed
// link or code, outside OpenID Connect providers, and being an OpenID provider itself.
import { passkey } from '@better-auth/passkey';
import { oauthProvider } from '@better-auth/oauth-provider';
import { betterAuth } from 'better-auth';
import {
  admin,
  bearer,
  emailOTP,
  genericOAuth,
  haveIBeenPwned,
  jwt,
  magicLink,
  twoFactor,
  username,
} from 'better-auth/plugins';
import { betterAuthOptions } from './options.mjs';

const send = async () => {};
const instances = new WeakMap();

function authFor(env) {
  let auth = instances.get(env);
  if (!auth) {
    auth = betterAuth(
      betterAuthOptions({
        database: env.DB,
        secret: env.BETTER_AUTH_SECRET,
        baseURL: env.BETTER_AUTH_URL,
        plugins: [
          username(),
          twoFactor(),
          passkey(),
          admin(),
          jwt(),
          bearer(),
          haveIBeenPwned(),
          magicLink({ sendMagicLink: send }),
          emailOTP({ sendVerificationOTP: send }),
          genericOAuth({
            config: [
              {
                providerId: 'oidc',
                discoveryUrl: 'https://issuer.example/.well-known/openid-configuration',
                clientId: 'id',
                clientSecret: 'secret',
              },
            ],
          }),
          oauthProvider({ loginPage: '/sign-in', consentPage: '/consent' }),
        ],
      }),
    );
    instances.set(env, auth);
  }
  return auth;
}

export default {
  fetch: (request, env) => authFor(env).handler(request),
};
