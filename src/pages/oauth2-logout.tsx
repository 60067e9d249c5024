// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With an id_token_hint this
// provider signed for the person signed in here, the Latchkey session ends at once and the
// browser goes to the client's registered post_logout_redirect_uri (with `state`). Without a
// valid hint nobody is signed out by a link: the person confirms with a form. A redirect URI the
// client did not register is refused with a page, never followed.
import { type Context, Hono } from 'hono';
import { logout } from '../core/sessions/session-flows';
import { csrfProtection } from '../web/form-csrf';
import { openIdIssuer, requireOpenIdKeys } from '../web/openid-provider';
import type { PageEnv } from '../web/page-env';
import { pageHeaders } from '../web/security-headers';
import { clearSessionCookies } from '../web/session-cookies';
import { readForm } from './form';
import { AuthorizationRefusedPage, ConfirmSignOutPage, SignedOutPage } from './oauth2-views';
import { currentSession } from './page-session';
import { renderPage } from './render';

async function endSession(c: Context<PageEnv>, params: Record<string, string | undefined>) {
  const keys = requireOpenIdKeys(c);
  const services = c.var.services;
  const issuer = openIdIssuer(c);
  const hint = params.id_token_hint
    ? await keys.verify(params.id_token_hint, { issuer, now: services.clock.now(), ignoreExpiry: true })
    : null;
  if (params.id_token_hint && !hint) {
    return renderPage(c, <AuthorizationRefusedPage detail="The app sent a sign-out request that is not valid." />, 400);
  }
  const hintClient = typeof hint?.aud === 'string' ? hint.aud : undefined;
  const clientId = params.client_id ?? hintClient;
  if (params.client_id && hintClient && params.client_id !== hintClient) {
    return renderPage(c, <AuthorizationRefusedPage detail="The sign-out request names two different apps." />, 400);
  }
  const client = clientId ? await services.oauthClients.find(clientId) : null;
  const redirectUri = params.post_logout_redirect_uri;
  if (redirectUri && !client?.postLogoutRedirectUris.includes(redirectUri)) {
    return renderPage(
      c,
      <AuthorizationRefusedPage detail="The app gave a return address after sign-out that it has not registered." />,
      400,
    );
  }

  const auth = await currentSession(c);
  if (auth && hint?.sub !== auth.user.id) return renderPage(c, <ConfirmSignOutPage />);
  if (auth) {
    await logout(services, auth);
    clearSessionCookies(c);
    services.log({ event: 'oauth.logout', userId: auth.user.id, clientId: client?.id });
  }
  if (!redirectUri) return renderPage(c, <SignedOutPage />);
  const target = new URL(redirectUri);
  if (params.state !== undefined) target.searchParams.set('state', params.state);
  return c.redirect(target.toString(), 302);
}

const withToken = csrfProtection((c) => renderPage(c, <SignedOutPage />, 403));

export const oauth2LogoutPages = new Hono<PageEnv>()
  .use('/logout', pageHeaders)
  .get('/logout', withToken, (c) => endSession(c, Object.fromEntries(new URL(c.req.url).searchParams)))
  // A client may post the request: it becomes the same GET, which ends a session only with a
  // valid id_token_hint for it, and otherwise asks with a form of Latchkey's own.
  .post('/logout', async (c) => {
    requireOpenIdKeys(c);
    const form = new URLSearchParams(Object.entries(await readForm(c.req)));
    return c.redirect(`/oauth2/logout?${form.toString()}`, 303);
  });
