// The OpenID Provider's browser endpoints. /oauth2/authorize checks the request (an unknown client
// or unregistered redirect URI gets a page, never a redirect), sends a signed-out person to
// Latchkey's own sign-in with the request as `redirect_to` (so every way in, second step
// included, resumes it), asks third-party consent, and sends the code back with `state` and `iss`.
// /oauth2/logout is RP-initiated logout. POSTed requests are turned into the same GET, so one
// handler decides; the consent decision is a form of Latchkey's own, under the CSRF checks.
import { type Context, Hono } from 'hono';
import {
  type AuthorizationParams,
  type AuthorizationRequest,
  checkAuthorizationRequest,
  clientRedirect,
  issueAuthorizationCode,
  needsConsent,
  needsSignIn,
  recordConsent,
} from '../core/oauth-server/authorization';
import { disconnectApp } from '../core/oauth-server/grant-access';
import type { Authenticated } from '../core/sessions/session-flows';
import { csrfProtection } from '../web/form-csrf';
import { openIdIssuer, requireOpenIdKeys } from '../web/openid-provider';
import type { PageEnv } from '../web/page-env';
import { pageHeaders } from '../web/security-headers';
import { readForm } from './form';
import { Alert, Card, Layout } from './layout';
import { oauth2LogoutPages } from './oauth2-logout';
import { AuthorizationRefusedPage, ConsentPage, ContinuePage } from './oauth2-views';
import { currentSession } from './page-session';
import { renderPage } from './render';

/** The OpenID Provider's page paths, whose failures answer with a page (src/app.ts). */
export const OPENID_PAGE_PATHS = [
  '/oauth2/authorize',
  '/oauth2/consent',
  '/oauth2/logout',
  '/oauth2/disconnect',
] as const;

/** The parameters, each once; `repeated` when one came twice (RFC 6749 section 3.1). */
function paramsOf(entries: Iterable<[string, string]>): { params: AuthorizationParams; repeated: boolean } {
  const params: AuthorizationParams = {};
  let repeated = false;
  for (const [name, value] of entries) {
    if (name in params) repeated = true;
    else params[name] = value;
  }
  return { params, repeated };
}

/** Hands the browser to the client. After one of Latchkey's own forms, by a page (see below). */
function deliver(c: Context<PageEnv>, target: string, clientName: string) {
  // A navigation that began with a form post on Latchkey's pages (sign-in, consent) is held to
  // their CSP form-action 'self' through every redirect, so a redirect to the app would be
  // blocked there; the Refresh header starts a new navigation that is not.
  if (c.req.method === 'POST' || c.req.header('sec-fetch-site') === 'same-origin') {
    c.header('refresh', `0;url=${target}`);
    return renderPage(c, <ContinuePage target={target} clientName={clientName} />);
  }
  return c.redirect(target, 302);
}

function refusedPage(c: Context<PageEnv>, detail: string) {
  return renderPage(c, <AuthorizationRefusedPage detail={detail} />, 400);
}

/** The request again as a same-origin path, for the sign-in page's `redirect_to`. */
function resumePath(params: AuthorizationParams, extra: Record<string, string>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...params, ...extra })) if (value !== undefined) query.set(name, value);
  return `/oauth2/authorize?${query.toString()}`;
}

/** The fields the consent form posts back: the request as checked, without prompt (the decision answers it). */
function consentFields(params: AuthorizationParams): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of [
    'client_id',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
  ]) {
    const value = params[name];
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

async function answerWithCode(c: Context<PageEnv>, request: AuthorizationRequest, auth: Authenticated, issuer: string) {
  const services = c.var.services;
  const { session } = auth;
  await recordConsent(services, request, auth.user);
  const code = await issueAuthorizationCode(services, request, session);
  return deliver(c, clientRedirect(request.redirectUri, issuer, request.state, { code }), request.client.name);
}

async function authorize(c: Context<PageEnv>, entries: Iterable<[string, string]>) {
  requireOpenIdKeys(c);
  const services = c.var.services;
  const issuer = openIdIssuer(c);
  const { params, repeated } = paramsOf(entries);
  const checked = await checkAuthorizationRequest(services, params);
  if (checked.status === 'refused') return refusedPage(c, checked.detail);
  const fail = (redirectUri: string, state: string | undefined, error: string, description: string) =>
    c.redirect(clientRedirect(redirectUri, issuer, state, { error, error_description: description }), 302);
  if (checked.status === 'error') return fail(checked.redirectUri, checked.state, checked.error, checked.description);
  const { request } = checked;
  if (repeated) return fail(request.redirectUri, request.state, 'invalid_request', 'A parameter was repeated.');

  const auth = await currentSession(c);
  const now = services.clock.now();
  if (needsSignIn(request, auth?.session ?? null, now)) {
    if (request.prompt.has('none')) {
      return fail(request.redirectUri, request.state, 'login_required', 'The person is not signed in.');
    }
    // A fresh sign-in asked for (prompt=login, or max_age, which may be 0) is marked on the return
    // trip, so the new session settles it instead of sending the person round again.
    const fresh = request.prompt.has('login') || request.maxAgeSeconds !== undefined;
    const mark: Record<string, string> =
      fresh && request.signedInAfter === undefined ? { signed_in_after: String(now) } : {};
    const signIn = new URLSearchParams({ redirect_to: resumePath(params, mark) });
    if (request.loginHint) signIn.set('login_hint', request.loginHint);
    return c.redirect(`/signin?${signIn.toString()}`, 303);
  }
  if (await needsConsent(services, request, auth!.user.id)) {
    if (request.prompt.has('none')) {
      return fail(request.redirectUri, request.state, 'consent_required', 'The person has not allowed this app.');
    }
    return renderPage(
      c,
      <ConsentPage clientName={request.client.name} scopes={request.scopes} fields={consentFields(params)} />,
    );
  }
  return answerWithCode(c, request, auth!, issuer);
}

const refuseForm = csrfProtection((c) =>
  renderPage(
    c,
    <Layout title="Form not accepted">
      <Card title="Form not accepted">
        <Alert kind="error">
          This form has expired or was not sent from this site. Go back to the app and start again.
        </Alert>
      </Card>
    </Layout>,
    403,
  ),
);

export const oauth2Pages = new Hono<PageEnv>()
  .use('/authorize', pageHeaders)
  .use('/consent', pageHeaders, refuseForm)
  .get('/authorize', refuseForm, (c) => authorize(c, new URL(c.req.url).searchParams))
  // A client may post the request (OIDC Core 3.1.2.1): the same request as a GET, so the browser's
  // address names it and the sign-in page can come back to it.
  .post('/authorize', async (c) => {
    requireOpenIdKeys(c);
    const form = new URLSearchParams(Object.entries(await readForm(c.req)));
    return c.redirect(`/oauth2/authorize?${form.toString()}`, 303);
  })
  .post('/consent', async (c) => {
    requireOpenIdKeys(c);
    const services = c.var.services;
    const issuer = openIdIssuer(c);
    const { decision, csrf: _, ...fields } = await readForm(c.req);
    const checked = await checkAuthorizationRequest(services, fields);
    if (checked.status === 'refused') return refusedPage(c, checked.detail);
    if (checked.status === 'error') {
      const answer = { error: checked.error, error_description: checked.description };
      return deliver(c, clientRedirect(checked.redirectUri, issuer, checked.state, answer), 'the app');
    }
    const { request } = checked;
    const auth = await currentSession(c);
    if (!auth) return refusedPage(c, 'You are no longer signed in. Go back to the app and start again.');
    if (decision !== 'allow') {
      services.log({ event: 'consent.denied', userId: auth.user.id, clientId: request.client.id });
      const answer = { error: 'access_denied', error_description: 'The person did not allow access.' };
      return deliver(c, clientRedirect(request.redirectUri, issuer, request.state, answer), request.client.name);
    }
    services.log({ event: 'consent.granted', userId: auth.user.id, clientId: request.client.id });
    return answerWithCode(c, request, auth, issuer);
  })
  // The Disconnect button of /account's Connected apps card.
  .use('/disconnect', pageHeaders, refuseForm)
  .post('/disconnect', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return c.redirect('/signin?redirect_to=%2Faccount', 303);
    const { client_id: clientId = '' } = await readForm(c.req);
    await disconnectApp(c.var.services, auth.user, clientId.slice(0, 64));
    return c.redirect('/account', 303);
  })
  .route('/', oauth2LogoutPages);
