// GET/POST /register, and /resend-verification. Registration answers with a page that says a
// verification mail was sent and offers to send it again. The resend page says the same thing
// whether or not the address is registered, like the API, so it tells nobody who has an account.
import { type Context, Hono } from 'hono';
import * as accounts from '../core/accounts/accounts';
import { registerAndSignIn } from '../core/accounts/sign-up';
import { setSessionCookies } from '../web/session-cookies';
import { describeUserAgent } from '../web/user-agent';
import { emailSchema, passwordSchema, usernameSchema } from '../web/schemas';
import type { PageEnv } from '../web/page-env';
import { type FieldErrors, checkField, failureFrom, readForm } from './form';
import { Alert, Card, CsrfField, Layout } from './layout';
import { EmailField, EmailRequestPage, NewPasswordField, UsernameField, readRequestedEmail } from './fields';
import { renderPage } from './render';
import { OutsideProviderButtons, type ProviderChoice } from './outside-providers';

function RegisterPage(props: {
  values?: Record<string, string>;
  errors?: FieldErrors;
  byEmail: boolean;
  /** The outside providers: signing in with one the first time creates the account. */
  providers?: ProviderChoice[];
}) {
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  // As on /signin, focus starts on the first field to fill in or fix, so after a refused submit a
  // keyboard or screen-reader user lands on the field whose error is read out with it.
  const focused = (['username', 'email', 'password'] as const).find((name) => errors[name]) ?? 'username';
  return (
    <Layout title="Create account">
      <Card title="Create account">
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <form method="post" action="/register" novalidate>
          <CsrfField />
          <UsernameField value={values.username} error={errors.username} autofocus={focused === 'username'} />
          <EmailField value={values.email} error={errors.email} maxlength={320} autofocus={focused === 'email'} />
          <NewPasswordField
            name="password"
            label="Password"
            error={errors.password}
            autofocus={focused === 'password'}
          />
          <button type="submit" class="wide">
            Create account
          </button>
        </form>
        <OutsideProviderButtons providers={props.providers ?? []} />
        <p class="links">
          <span>
            Already registered? <a href="/signin">Sign in</a>
          </span>
          {props.byEmail ? <a href="/register/email">Create an account by email, without a password</a> : null}
        </p>
      </Card>
    </Layout>
  );
}

function MailSentPage(props: { email: string; title: string; resent?: boolean }) {
  return (
    <Layout title={props.title}>
      <Card title={props.title}>
        {props.resent ? (
          <Alert kind="ok">If {props.email} is waiting for verification, a new link is on its way.</Alert>
        ) : null}
        {props.resent ? null : (
          <p>
            We sent a verification link to <strong>{props.email}</strong>. Open it to confirm your address, then sign
            in.
          </p>
        )}
        <p>The link expires after a while. If the mail does not arrive, check your spam folder or send it again.</p>
        <form method="post" action="/resend-verification">
          <CsrfField />
          <input type="hidden" name="email" value={props.email} />
          <button type="submit" class="secondary">
            Resend the verification mail
          </button>
        </form>
        <p class="links">
          <a href="/signin">Go to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}

/** Accounts that start by email (EMAIL_SIGN_IN and EMAIL_SIGN_UP both on) have a page of their own. */
function offersSignUpByEmail(c: Context<PageEnv>): boolean {
  const { enabled, signUp } = c.var.services.settings.emailSignIn;
  return enabled && signUp;
}

const resendText = {
  title: 'Resend verification',
  heading: 'Resend verification',
  intro: 'Enter the address you registered with and we will send a new verification link.',
  action: '/resend-verification',
  submit: 'Send a new link',
};

export const registerPages = new Hono<PageEnv>()
  .get('/register', (c) =>
    renderPage(c, <RegisterPage byEmail={offersSignUpByEmail(c)} providers={c.var.services.outsideProviders.list()} />),
  )
  .post('/register', async (c) => {
    const form = await readForm(c.req);
    const values = { username: (form.username ?? '').slice(0, 64), email: (form.email ?? '').slice(0, 320) };
    const errors: FieldErrors = {};
    const username = checkField(errors, 'username', 'Username', usernameSchema, form.username);
    const email = checkField(errors, 'email', 'Email', emailSchema, form.email);
    const password = checkField(errors, 'password', 'Password', passwordSchema, form.password);
    if (username === undefined || email === undefined || password === undefined) {
      return renderPage(c, <RegisterPage values={values} errors={errors} byEmail={offersSignUpByEmail(c)} />, 400);
    }
    try {
      const { services } = c.var;
      if (services.settings.emailVerification === 'optional') {
        // EMAIL_VERIFICATION=optional: signed in at once; the mail still asks to verify later.
        const tokens = await registerAndSignIn(services, {
          username,
          email,
          password,
          userAgent: describeUserAgent(c.req.header('user-agent')),
        });
        setSessionCookies(c, tokens, services.settings.sessionTtlSeconds);
        return c.redirect('/account', 303);
      }
      const user = await accounts.register(services, { username, email, password });
      return renderPage(c, <MailSentPage email={user.email} title="Check your mail" />, 201);
    } catch (error) {
      const failure = failureFrom(error, {
        username: { input: 'username', label: 'Username' },
        email: { input: 'email', label: 'Email' },
        password: { input: 'password', label: 'Password' },
      });
      return renderPage(
        c,
        <RegisterPage values={values} errors={failure.errors} byEmail={offersSignUpByEmail(c)} />,
        failure.status,
      );
    }
  })
  .get('/resend-verification', (c) => renderPage(c, <EmailRequestPage text={resendText} />))
  .post('/resend-verification', async (c) => {
    const requested = await readRequestedEmail(c, resendText);
    if ('refusal' in requested) return requested.refusal;
    const { email } = requested;
    await accounts.resendVerification(c.var.services, email);
    return renderPage(c, <MailSentPage email={email} title="Check your mail" resent />);
  });
