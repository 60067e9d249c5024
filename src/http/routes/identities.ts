// The signed-in account's outside identities, mounted under /auth: list them, start linking one
// (the answer names the provider's URL to open in this browser, whose cookie binds the callback),
// and unlink one unless it is the last way in (409). The browser flow itself is in
// src/pages/outside-sign-in.tsx, since its callback answers pages.
import { Hono } from 'hono';
import { listIdentities, unlinkIdentity } from '../../core/identities/identities';
import { startOutsideSignIn } from '../../core/identities/outside-sign-in';
import type { AppEnv } from '../../web/context';
import { identityIdParam, providerParam } from '../../web/identity-schemas';
import { outsideRedirectUri, setOutsideCookie } from '../../web/outside-sign-in';
import { limitPerClient } from '../../web/rate-limit';
import { validParams } from '../json-body';
import { requireAuth } from '../require-auth';

export const identityRoutes = new Hono<AppEnv>()
  .get('/identities', requireAuth, async (c) => {
    const { services, auth } = c.var;
    return c.json({
      identities: await listIdentities(services, auth.user.id),
      providers: services.outsideProviders.list(),
    });
  })
  // One path for both (OpenAPI allows one parameter name per path): a provider id to link, an
  // identity id to unlink.
  .post(
    '/identities/:id',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'oauth'),
    requireAuth,
    validParams(providerParam),
    async (c) => {
      const provider = c.req.valid('param').id;
      const { url, browserKey } = await startOutsideSignIn(c.var.services, {
        provider,
        redirectUri: outsideRedirectUri(c, provider),
        returnTo: null,
        linkUserId: c.var.auth.user.id,
      });
      setOutsideCookie(c, browserKey);
      return c.json({ authorizationUrl: url.toString() });
    },
  )
  .delete('/identities/:id', requireAuth, validParams(identityIdParam), async (c) => {
    await unlinkIdentity(c.var.services, c.var.auth.user.id, c.req.valid('param').id);
    return c.body(null, 204);
  });
