// GET/POST /signin (the login page): username-or-email and password. Success sets the session cookies and sends
// the browser to /account, or to a `redirect_to` that passes the return-URL allowlist.
import { Hono } from 'hono';
import { AuthError } from '../core/kit/errors';
import { login } from '../core/passwords/login';
import { SecondStepPage } from './signin-second-step';
import { describeUserAgent } from '../web/user-agent';
import { readConfig } from '../config';
import { setSessionCookies } from '../web/session-cookies';
import { loginIdentifierSchema, loginPasswordSchema } from '../web/schemas';
import type { PageEnv } from '../web/page-env';
import { type FieldErrors, failureFrom, readForm } from './form';
import { Alert, Card, CsrfField, Field, Layout } from './layout';
import { renderPage } from './render';
import { noticeText } from './notices';
import { DEFAULT_RETURN_PATH, allowedReturnUrl } from './return-url';
import { PasskeySignIn } from './passkeys';
import { EmailLinkRequest } from './email-sign-in-views';
import { OutsideProviderButtons, type ProviderChoice } from './outside-providers';

interface LoginView {
  /** The passkeys' RP ID: the script offers passkeys only where the browser can use them. */
  rpId: string;
  /** Whether sign-in by email is on (EMAIL_SIGN_IN): its control is offered only then. */
  emailSignIn: boolean;
  /** The outside providers (OAUTH_PROVIDERS): a "Continue with ..." button each. */
  providers: ProviderChoice[];
  identifier?: string;
  returnTo?: string | null;
  errors?: FieldErrors;
  notice?: string | undefined;
}

function LoginPage(props: LoginView) {
  const errors = props.errors ?? {};
  return (
    <Layout title="Sign in">
      <Card title="Sign in">
        {props.notice ? <Alert kind="ok">{props.notice}</Alert> : null}
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        {errors.unverified ? (
          <Alert kind="error">
            {errors.unverified} <a href="/resend-verification">Send a new verification link</a>.
          </Alert>
        ) : null}
        <form method="post" action="/signin" novalidate>
          <CsrfField />
          {props.returnTo ? <input type="hidden" name="redirect_to" value={props.returnTo} /> : null}
          <Field
            name="identifier"
            label="Username or email"
            value={props.identifier ?? ''}
            autocomplete="username webauthn"
            error={errors.identifier}
            autofocus={!props.identifier}
          />
          <Field
            name="password"
            label="Password"
            type="password"
            autocomplete="current-password"
            error={errors.password}
            autofocus={Boolean(props.identifier)}
          />
          <button type="submit" class="wide">
            Sign in
          </button>
        </form>
        <PasskeySignIn rpId={props.rpId} returnTo={props.returnTo} />
        <OutsideProviderButtons providers={props.providers} returnTo={props.returnTo} />
        {props.emailSignIn ? <EmailLinkRequest returnTo={props.returnTo} /> : null}
        <p class="links">
          <a href="/forgot-password">Forgot password?</a>
          <a href="/register">Create account</a>
        </p>
      </Card>
    </Layout>
  );
}

export const loginPages = new Hono<PageEnv>()
  .get('/signin', (c) => {
    const config = readConfig(c.env);
    const origin = new URL(c.req.url).origin;
    return renderPage(
      c,
      <LoginPage
        rpId={c.var.services.relyingParty.id}
        emailSignIn={c.var.services.settings.emailSignIn.enabled}
        providers={c.var.services.outsideProviders.list()}
        returnTo={allowedReturnUrl(c.req.query('redirect_to'), origin, config.RETURN_URL_ALLOWLIST)}
        notice={noticeText(c.req.query('notice'))}
        identifier={c.req.query('login_hint')?.trim().slice(0, 320)}
      />,
    );
  })
  .post('/signin', async (c) => {
    const config = readConfig(c.env);
    const form = await readForm(c.req);
    const identifier = (form.identifier ?? '').trim().slice(0, 320);
    const password = form.password ?? '';
    const returnTo = allowedReturnUrl(form.redirect_to, new URL(c.req.url).origin, config.RETURN_URL_ALLOWLIST);
    const view = {
      identifier,
      returnTo,
      rpId: c.var.services.relyingParty.id,
      emailSignIn: c.var.services.settings.emailSignIn.enabled,
      providers: c.var.services.outsideProviders.list(),
    };

    // The API's own login schemas: the same bounds, counted the same way (UTF-16 units).
    const errors: FieldErrors = {};
    if (!identifier) errors.identifier = 'Enter your username or email.';
    else if (!loginIdentifierSchema.safeParse(identifier).success)
      errors.identifier = 'That username or email is not valid.';
    if (!password) errors.password = 'Enter your password.';
    else if (!loginPasswordSchema.safeParse(password).success)
      errors.password = 'That password is too long or not valid.';
    if (Object.keys(errors).length > 0) return renderPage(c, <LoginPage {...view} errors={errors} />, 400);

    try {
      const tokens = await login(c.var.services, {
        identifier,
        password,
        userAgent: describeUserAgent(c.req.header('user-agent')),
      });
      setSessionCookies(c, tokens, config.SESSION_TTL_SECONDS);
      return c.redirect(returnTo ?? DEFAULT_RETURN_PATH, 303);
    } catch (error) {
      if (error instanceof AuthError && error.code === 'mfa_required') {
        const mfaToken = error.extensions!.mfaToken as string;
        return renderPage(c, <SecondStepPage mfaToken={mfaToken} returnTo={returnTo} />);
      }
      const failure = failureFrom(
        error,
        {},
        {
          invalid_credentials: {
            field: 'password',
            message: 'That username or email and password do not match an account.',
          },
          account_disabled: { message: 'This account has been disabled. Contact support.' },
          email_not_verified: {
            field: 'unverified',
            message: 'Your email address is not verified yet. Open the link in the mail we sent you.',
          },
        },
      );
      return renderPage(c, <LoginPage {...view} errors={failure.errors} />, failure.status);
    }
  });
