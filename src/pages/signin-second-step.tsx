// The second step of /signin for an account with two-step sign-in on: a code from the app, or a
// recovery code. The mfaToken travels in a hidden form field, never in a URL (it would land in
// history, logs and Referer headers).
import { Hono } from 'hono';
import { AuthError } from '../core/kit/errors';
import { verifyMfa } from '../core/mfa/mfa';
import { readConfig } from '../config';
import type { PageEnv } from '../web/page-env';
import { setSessionCookies } from '../web/session-cookies';
import { describeUserAgent } from '../web/user-agent';
import { readForm } from './form';
import { Alert, Card, CsrfField, Field, Layout } from './layout';
import { renderPage } from './render';
import { DEFAULT_RETURN_PATH, allowedReturnUrl } from './return-url';

export function SecondStepPage(props: { mfaToken: string; returnTo: string | null; error?: string | undefined }) {
  return (
    <Layout title="Enter your code">
      <Card title="Enter your code">
        {props.error ? <Alert kind="error">{props.error}</Alert> : null}
        <form method="post" action="/signin/verify" novalidate>
          <CsrfField />
          <input type="hidden" name="mfaToken" value={props.mfaToken} />
          {props.returnTo ? <input type="hidden" name="redirect_to" value={props.returnTo} /> : null}
          <Field
            name="code"
            label="Code from your authenticator app"
            hint="Lost your phone? Enter one of your recovery codes here instead."
            autocomplete="one-time-code"
            autofocus
          />
          <button type="submit" class="wide">
            Sign in
          </button>
        </form>
        <p class="links">
          <a href="/signin">Start again</a>
        </p>
      </Card>
    </Layout>
  );
}

export const secondStepPages = new Hono<PageEnv>().post('/signin/verify', async (c) => {
  const config = readConfig(c.env);
  const form = await readForm(c.req);
  const mfaToken = (form.mfaToken ?? '').slice(0, 128);
  const code = (form.code ?? '').slice(0, 64);
  const returnTo = allowedReturnUrl(form.redirect_to, new URL(c.req.url).origin, config.RETURN_URL_ALLOWLIST);
  if (!code.trim()) {
    return renderPage(c, <SecondStepPage mfaToken={mfaToken} returnTo={returnTo} error="Enter your code." />, 400);
  }
  try {
    const tokens = await verifyMfa(c.var.services, {
      mfaToken,
      code,
      userAgent: describeUserAgent(c.req.header('user-agent')),
    });
    setSessionCookies(c, tokens, config.SESSION_TTL_SECONDS);
    return c.redirect(returnTo ?? DEFAULT_RETURN_PATH, 303);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.code === 'invalid_code') {
      const message = 'That code is not right, or was already used. Try the next one or a recovery code.';
      return renderPage(c, <SecondStepPage mfaToken={mfaToken} returnTo={returnTo} error={message} />, 401);
    }
    // An expired or spent mfaToken, or a locked account: back to the password.
    return c.redirect(`/signin?notice=${error.code === 'rate_limited' ? 'two-step-locked' : 'two-step-expired'}`, 303);
  }
});
