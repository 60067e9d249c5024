// /forgot-password and /reset-password, with the API's rules: asking for a link answers the same
// whether or not the address has an account, a GET of the reset link never consumes its token,
// and a successful reset signs out every session and sends the browser to /signin.
import { Hono } from 'hono';
import * as accounts from '../core/accounts/accounts';
import { AuthError } from '../core/kit/errors';
import { passwordSchema } from '../web/schemas';
import type { PageEnv } from '../web/page-env';
import { type FieldErrors, checkField, failureFrom, readForm } from './form';
import { Card, CsrfField, Layout } from './layout';
import { renderPage } from './render';
import { EmailRequestPage, NewPasswordField, readRequestedEmail } from './fields';
import { isPlausibleToken, renderLinkFailure, renderLinkProblem } from './link-problem';

const linkText = {
  title: 'Reset link problem',
  heading: 'This reset link cannot be used',
  retry: { href: '/forgot-password', label: 'Ask for a new reset link' },
  expired: 'This reset link has expired.',
  unusable: 'This reset link is not valid or has already been used.',
};

const forgotText = {
  title: 'Forgot password',
  heading: 'Forgot your password?',
  intro: 'Enter the email address of your account and we will send you a link to choose a new password.',
  action: '/forgot-password',
  submit: 'Send reset link',
};

function ResetPage(props: { token: string; errors?: FieldErrors }) {
  const errors = props.errors ?? {};
  return (
    <Layout title="Choose a new password">
      <Card title="Choose a new password">
        <form method="post" action="/reset-password" novalidate>
          <CsrfField />
          <input type="hidden" name="token" value={props.token} />
          <NewPasswordField name="password" label="New password" error={errors.password} autofocus />
          <button type="submit" class="wide">
            Set new password
          </button>
        </form>
      </Card>
    </Layout>
  );
}

export const passwordResetPages = new Hono<PageEnv>()
  .get('/forgot-password', (c) => renderPage(c, <EmailRequestPage text={forgotText} />))
  .post('/forgot-password', async (c) => {
    const requested = await readRequestedEmail(c, forgotText);
    if ('refusal' in requested) return requested.refusal;
    const { email } = requested;
    await accounts.forgotPassword(c.var.services, email);
    return renderPage(
      c,
      <Layout title="Check your mail">
        <Card title="Check your mail">
          <p>
            If an account uses <strong>{email}</strong>, we have sent it a link to choose a new password. The link
            expires after a while.
          </p>
          <p class="links">
            <a href="/signin">Back to sign in</a>
          </p>
        </Card>
      </Layout>,
    );
  })
  .get('/reset-password', (c) => {
    const token = c.req.query('token') ?? '';
    if (!isPlausibleToken(token)) {
      return renderLinkProblem(c, linkText, 'This link has no valid token. Open the link from your mail again.');
    }
    return renderPage(c, <ResetPage token={token} />);
  })
  .post('/reset-password', async (c) => {
    const form = await readForm(c.req);
    const token = form.token ?? '';
    if (!isPlausibleToken(token)) return renderLinkProblem(c, linkText, 'This reset link is not valid.');
    const errors: FieldErrors = {};
    const password = checkField(errors, 'password', 'Password', passwordSchema, form.password);
    if (password === undefined) {
      return renderPage(c, <ResetPage token={token} errors={errors} />, 400);
    }
    try {
      await accounts.resetPassword(c.var.services, { token, password });
    } catch (error) {
      // A password the policy refuses is the person's to fix, not the link's: say why, next to
      // the field, and keep the token (it is spent only by a successful reset) for the retry.
      if (error instanceof AuthError && error.code === 'validation_failed') {
        const { errors } = failureFrom(error, { password: { input: 'password', label: 'Password' } });
        return renderPage(c, <ResetPage token={token} errors={errors} />, 400);
      }
      return renderLinkFailure(c, linkText, error);
    }
    return c.redirect('/signin?notice=password-reset', 303);
  });
