// Sign-in by email in the browser. Asking answers the same page whatever the address. The mailed
// link's GET spends nothing (mail scanners and link previews follow links): it shows a button, and
// only its POST signs in. Success and a second factor owed end as the password sign-in does.
import { type Context, Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { assertEmailSignInOn, requestEmailSignIn, verifyEmailSignIn } from '../core/email-sign-in/email-sign-in';
import { AuthError } from '../core/kit/errors';
import type { TokenResponse } from '../core/sessions/session-flows';
import type { PageEnv } from '../web/page-env';
import { emailSchema, usernameSchema } from '../web/schemas';
import { setSessionCookies } from '../web/session-cookies';
import { describeUserAgent } from '../web/user-agent';
import { readConfig } from '../config';
import { CheckMailView, CodeView, EmailRequestView, LinkView, UsernameTakenView } from './email-sign-in-views';
import { type FieldErrors, checkField, failureFrom, readForm } from './form';
import { isPlausibleToken, renderLinkProblem } from './link-problem';
import { renderPage } from './render';
import { DEFAULT_RETURN_PATH, allowedReturnUrl } from './return-url';
import { SecondStepPage } from './signin-second-step';

const linkText = {
  title: 'Sign-in link problem',
  heading: 'This sign-in link cannot be used',
  retry: { href: '/signin/email/request', label: 'Ask for a new sign-in link' },
  expired: 'This sign-in link has expired.',
  unusable: 'This sign-in link is not valid, has already been used, or was replaced by a newer mail.',
};

const WRONG_CODE =
  'That code is not right, or was already used or replaced by a newer mail. After five wrong tries, ask for a new mail.';

/** With EMAIL_SIGN_IN=off these pages do not exist: the not-found page, before anything is read. */
const whenOn = createMiddleware<PageEnv>(async (c, next) => {
  assertEmailSignInOn(c.var.services);
  await next();
});

function returnUrlOf(c: Context<PageEnv>, candidate: string | undefined) {
  return allowedReturnUrl(candidate, new URL(c.req.url).origin, readConfig(c.env).RETURN_URL_ALLOWLIST);
}

/**
 * Runs a verify and answers as the password sign-in does: the session cookies and a redirect, or
 * the second step. `refused` answers the failures that belong to how the person proved it.
 */
async function signInWith(
  c: Context<PageEnv>,
  returnTo: string | null,
  verify: () => Promise<TokenResponse>,
  refused: (error: AuthError) => Response | Promise<Response>,
) {
  let tokens: TokenResponse;
  try {
    tokens = await verify();
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.code === 'mfa_required') {
      const mfaToken = error.extensions!.mfaToken as string;
      return renderPage(c, <SecondStepPage mfaToken={mfaToken} returnTo={returnTo} />);
    }
    if (error.code === 'conflict') return renderPage(c, <UsernameTakenView />, 409);
    return refused(error);
  }
  setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
  return c.redirect(returnTo ?? DEFAULT_RETURN_PATH, 303);
}

const codeFailure = (error: AuthError) =>
  failureFrom(
    error,
    {},
    {
      invalid_code: { field: 'code', message: WRONG_CODE },
      account_disabled: { message: 'This account has been disabled. Contact support.' },
    },
  );

export const emailSignInPages = new Hono<PageEnv>()
  .use('/signin/email', whenOn)
  .use('/signin/email/*', whenOn)
  .use('/register/email', whenOn)
  .get('/signin/email/request', (c) =>
    renderPage(c, <EmailRequestView returnTo={returnUrlOf(c, c.req.query('redirect_to'))} />),
  )
  .get('/register/email', (c) => {
    if (!c.var.services.settings.emailSignIn.signUp) throw new AuthError('not_found', 'Sign-up by email is off.');
    return renderPage(c, <EmailRequestView createAccount />);
  })
  .post('/signin/email/request', async (c) => {
    const form = await readForm(c.req);
    const returnTo = returnUrlOf(c, form.redirect_to);
    const createAccount = form.createAccount === 'on';
    const values = { username: (form.username ?? '').slice(0, 64), email: (form.email ?? '').slice(0, 320) };
    const errors: FieldErrors = {};
    const username = createAccount
      ? checkField(errors, 'username', 'Username', usernameSchema, form.username)
      : undefined;
    const email = checkField(errors, 'email', 'Email', emailSchema, form.email);
    if (email === undefined || Object.keys(errors).length > 0) {
      const page = (
        <EmailRequestView createAccount={createAccount} values={values} errors={errors} returnTo={returnTo} />
      );
      return renderPage(c, page, 400);
    }
    await requestEmailSignIn(c.var.services, { email, createAccount, username });
    const minutes = Math.round(c.var.services.settings.emailTokenTtlSeconds / 60);
    return renderPage(
      c,
      <CheckMailView email={email} createAccount={createAccount} minutes={minutes} returnTo={returnTo} />,
    );
  })
  .get('/signin/email', (c) => {
    const token = c.req.query('token');
    if (token === undefined) return renderPage(c, <CodeView />);
    if (!isPlausibleToken(token)) {
      return renderLinkProblem(c, linkText, 'This link has no valid token. Open the link from your mail again.');
    }
    return renderPage(c, <LinkView token={token} />);
  })
  .post('/signin/email', async (c) => {
    const form = await readForm(c.req);
    const returnTo = returnUrlOf(c, form.redirect_to);
    const userAgent = describeUserAgent(c.req.header('user-agent'));
    const { services } = c.var;

    if (form.token !== undefined) {
      const { token } = form;
      if (!isPlausibleToken(token)) return renderLinkProblem(c, linkText, linkText.unusable);
      return signInWith(
        c,
        returnTo,
        () => verifyEmailSignIn(services, { token, userAgent }),
        (error) => {
          if (error.code === 'account_disabled') {
            return renderLinkProblem(c, linkText, 'This account has been disabled. Contact support.', 403);
          }
          return renderLinkProblem(c, linkText, error.code === 'token_expired' ? linkText.expired : linkText.unusable);
        },
      );
    }

    const shownEmail = (form.email ?? '').trim().slice(0, 320);
    const errors: FieldErrors = {};
    const email = checkField(errors, 'email', 'Email', emailSchema, form.email);
    const code = (form.code ?? '').replace(/\s/g, '');
    if (!code) errors.code = 'Enter the 6-digit code from the mail.';
    else if (!/^\d{6}$/.test(code)) errors.code = 'The code is the 6 digits from the mail.';
    if (email === undefined || errors.code) {
      return renderPage(c, <CodeView email={shownEmail} errors={errors} returnTo={returnTo} />, 400);
    }
    return signInWith(
      c,
      returnTo,
      () => verifyEmailSignIn(services, { email, code, userAgent }),
      (error) => {
        const failure = codeFailure(error);
        return renderPage(
          c,
          <CodeView email={shownEmail} errors={failure.errors} returnTo={returnTo} />,
          failure.status,
        );
      },
    );
  });
