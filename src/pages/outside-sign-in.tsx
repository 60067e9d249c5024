// Sign-in with an outside provider in the browser: GET /auth/oauth/:provider sends the browser to
// the provider, and its callback (a GET, or Apple's form POST) ends as the password sign-in does:
// the session cookies and a redirect, or the second step. /account links and unlinks identities.
// Every failure is a page. The callback is exempt from the forms' CSRF check (a provider's POST
// comes from another site): its state, bound to this browser's cookie and usable once, is its check.
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { AuthError } from '../core/kit/errors';
import { generateToken } from '../core/kit/random-token';
import { unlinkIdentity } from '../core/identities/identities';
import { finishOutsideSignIn, startOutsideSignIn } from '../core/identities/outside-sign-in';
import { readConfig } from '../config';
import { CSRF_COOKIE } from '../web/form-csrf';
import { outsideRedirectUri, setOutsideCookie, takeOutsideCookie } from '../web/outside-sign-in';
import type { PageEnv } from '../web/page-env';
import { limitPerClient } from '../web/rate-limit';
import { pageHeaders } from '../web/security-headers';
import { setSessionCookies } from '../web/session-cookies';
import { describeUserAgent } from '../web/user-agent';
import { readForm } from './form';
import { Alert, Card, Layout } from './layout';
import { currentSession } from './page-session';
import { ContinueToProviderPage, renderOutsideRefusal } from './outside-providers';
import { renderPage } from './render';
import { DEFAULT_RETURN_PATH, allowedReturnUrl } from './return-url';
import { SecondStepPage } from './signin-second-step';

/** The form token for a page shown here (the second step's form needs one); nothing is checked. */
const provideCsrfToken = createMiddleware<PageEnv>(async (c, next) => {
  let token = getCookie(c, CSRF_COOKIE, 'host');
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    token = generateToken();
    setCookie(c, CSRF_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', prefix: 'host' });
  }
  c.set('csrfToken', token);
  await next();
});

const tooManyRequests = (c: Context) =>
  renderPage(
    c,
    <Layout title="Too many attempts">
      <Card title="Too many attempts">
        <Alert kind="error">There were too many attempts from your network. Wait a minute, then try again.</Alert>
      </Card>
    </Layout>,
    429,
  );

function providerName(c: Context<PageEnv>, id: string): string {
  return c.var.services.outsideProviders.find(id)?.name ?? id;
}

async function callback(c: Context<PageEnv>) {
  const id = c.req.param('provider') ?? '';
  // A provider may answer with a GET (query) or a form POST (Apple's response_mode=form_post).
  const parameters =
    c.req.method === 'POST' ? new URLSearchParams(await c.req.text()) : new URL(c.req.url).searchParams;
  const result = await finishOutsideSignIn(c.var.services, {
    provider: id,
    callback: parameters,
    browserKey: takeOutsideCookie(c),
    redirectUri: outsideRedirectUri(c, id),
    userAgent: describeUserAgent(c.req.header('user-agent')),
  });
  switch (result.kind) {
    case 'signed_in':
      setSessionCookies(c, result.tokens, c.var.services.settings.sessionTtlSeconds);
      return c.redirect(result.returnTo ?? DEFAULT_RETURN_PATH, 303);
    case 'second_step':
      return renderPage(c, <SecondStepPage mfaToken={result.mfaToken} returnTo={result.returnTo} />);
    case 'linked':
      return c.redirect(result.returnTo ?? '/account?notice=identity-linked', 303);
    case 'refused':
      return renderOutsideRefusal(c, result.reason, providerName(c, result.provider));
  }
}

export const outsideSignInPages = new Hono<PageEnv>()
  .use('/auth/oauth/*', pageHeaders, provideCsrfToken)
  .get('/auth/oauth/:provider', limitPerClient('RATE_LIMIT_CREDENTIALS', 'oauth', tooManyRequests), async (c) => {
    const id = c.req.param('provider');
    const config = readConfig(c.env);
    const returnTo = allowedReturnUrl(
      c.req.query('redirect_to'),
      new URL(c.req.url).origin,
      config.RETURN_URL_ALLOWLIST,
    );
    const { url, browserKey } = await startOutsideSignIn(c.var.services, {
      provider: id,
      redirectUri: outsideRedirectUri(c, id),
      returnTo,
    });
    setOutsideCookie(c, browserKey);
    return c.redirect(url.toString(), 303);
  })
  // Each callback costs a token exchange with the provider: the credential routes' limit applies.
  .get('/auth/oauth/:provider/callback', limitPerClient('RATE_LIMIT_CREDENTIALS', 'oauth', tooManyRequests), callback)
  .post('/auth/oauth/:provider/callback', limitPerClient('RATE_LIMIT_CREDENTIALS', 'oauth', tooManyRequests), callback)
  .post('/account/identities/link', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return c.redirect('/signin?redirect_to=%2Faccount', 303);
    const id = ((await readForm(c.req)).provider ?? '').slice(0, 64);
    const { url, browserKey } = await startOutsideSignIn(c.var.services, {
      provider: id,
      redirectUri: outsideRedirectUri(c, id),
      returnTo: null,
      linkUserId: auth.user.id,
    });
    setOutsideCookie(c, browserKey);
    return renderPage(c, <ContinueToProviderPage url={url.toString()} providerName={providerName(c, id)} />);
  });

/** Unlinking from /account, answered with the account page (the card shows the refusal). */
export function identityRemovalPage(
  render: (c: Context<PageEnv>, errors: Record<string, string>, status: 404 | 409) => Promise<Response>,
) {
  return new Hono<PageEnv>().post('/account/identities/remove', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return c.redirect('/signin?redirect_to=%2Faccount', 303);
    const identity = ((await readForm(c.req)).identity ?? '').slice(0, 64);
    try {
      await unlinkIdentity(c.var.services, auth.user.id, identity);
    } catch (error) {
      if (!(error instanceof AuthError) || (error.code !== 'not_found' && error.code !== 'conflict')) throw error;
      return render(c, { identity: error.detail }, error.code === 'conflict' ? 409 : 404);
    }
    return c.redirect('/account?notice=identity-removed', 303);
  });
}
