// The passkey API (WebAuthn JSON forms): register a passkey while signed in, sign in with one while
// signed out, and list, rename or remove one's own. Every route that checks a password or a
// passkey shares the credential routes' per-client limit.
import { Hono } from 'hono';
import { finishPasskeySignIn, startPasskeySignIn } from '../../core/passkeys/passkey-signin';
import { startPasskeyReauthentication } from '../../core/sessions/reauthentication';
import {
  finishPasskeyRegistration,
  listPasskeys,
  removePasskey,
  renamePasskey,
  startPasskeyRegistration,
} from '../../core/passkeys/passkeys';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../core/passkeys/webauthn/types';
import type { AppEnv } from '../../web/context';
import {
  passkeyIdParam,
  passkeyRegistrationBody,
  passkeyRenameBody,
  passkeySignInBody,
  passkeySignInOptionsBody,
} from '../../web/passkey-schemas';
import { reauthenticationBody } from '../../web/proof-schemas';
import { limitPerClient } from '../../web/rate-limit';
import { setSessionCookies } from '../../web/session-cookies';
import { describeUserAgent } from '../../web/user-agent';
import { jsonBody, validParams } from '../json-body';
import { requireAuth } from '../require-auth';

const limited = (route: string) => limitPerClient('RATE_LIMIT_CREDENTIALS', route);

export const passkeyRoutes = new Hono<AppEnv>()
  .post(
    '/passkeys/registration/options',
    limited('passkey-registration'),
    requireAuth,
    jsonBody(reauthenticationBody),
    async (c) => c.json(await startPasskeyRegistration(c.var.services, c.var.auth, c.req.valid('json'))),
  )
  .post(
    '/passkeys/registration/verify',
    limited('passkey-registration'),
    requireAuth,
    jsonBody(passkeyRegistrationBody),
    async (c) => {
      const { challengeId, credential, name } = c.req.valid('json');
      const passkey = await finishPasskeyRegistration(c.var.services, c.var.auth, {
        challengeId,
        credential: credential as RegistrationResponseJSON,
        name,
      });
      return c.json({ passkey }, 201);
    },
  )
  // Options to confirm the signed-in user with one of their passkeys before a sensitive change.
  .post(
    '/passkeys/reauthentication/options',
    limited('passkey-reauthentication'),
    requireAuth,
    jsonBody(passkeySignInOptionsBody),
    async (c) => c.json(await startPasskeyReauthentication(c.var.services, c.var.auth)),
  )
  .post('/passkeys/authentication/options', limited('passkey-signin'), jsonBody(passkeySignInOptionsBody), async (c) =>
    c.json(await startPasskeySignIn(c.var.services)),
  )
  .post('/passkeys/authentication/verify', limited('passkey-signin'), jsonBody(passkeySignInBody), async (c) => {
    const { challengeId, credential } = c.req.valid('json');
    const tokens = await finishPasskeySignIn(c.var.services, {
      challengeId,
      credential: credential as AuthenticationResponseJSON,
      userAgent: describeUserAgent(c.req.header('user-agent')),
    });
    setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
    return c.json(tokens);
  })
  .get('/passkeys', requireAuth, async (c) => c.json({ passkeys: await listPasskeys(c.var.services, c.var.auth) }))
  .patch('/passkeys/:id', requireAuth, validParams(passkeyIdParam), jsonBody(passkeyRenameBody), async (c) => {
    const passkey = await renamePasskey(c.var.services, c.var.auth, c.req.valid('param').id, c.req.valid('json').name);
    return c.json({ passkey });
  })
  .delete(
    '/passkeys/:id',
    limited('passkey-remove'),
    requireAuth,
    validParams(passkeyIdParam),
    jsonBody(reauthenticationBody),
    async (c) => {
      await removePasskey(c.var.services, c.var.auth, c.req.valid('param').id, c.req.valid('json'));
      return c.body(null, 204);
    },
  );
