// Account changes beyond the password, as pages: ask for an email change and delete the account
// (both from /account, confirmed by the password), and /confirm-email-change, the page behind the
// mailed link. Its GET only shows a button (mail scanners follow links); only the POST confirms.
import { Hono } from 'hono';
import { deleteAccount } from '../core/accounts/account-changes';
import { confirmEmailChange, requestEmailChange } from '../core/accounts/email-change';
import { AuthError } from '../core/kit/errors';
import type { PageEnv } from '../web/page-env';
import { emailSchema, loginPasswordSchema } from '../web/schemas';
import { clearSessionCookies } from '../web/session-cookies';
import { loginRedirect, renderAccount } from './account';
import { type FieldErrors, checkField, failureFrom, readForm } from './form';
import { Alert, Card, CsrfField, Layout } from './layout';
import { isPlausibleToken, renderLinkFailure, renderLinkProblem } from './link-problem';
import { currentSession } from './page-session';
import { renderPage } from './render';

const linkText = {
  title: 'Confirm your new email',
  heading: 'Confirm your new email',
  retry: { href: '/account', label: 'Go to your account to ask again' },
  expired: 'This confirmation link has expired.',
  unusable: 'This confirmation link is not valid or has already been used.',
};

function checkPassword(errors: FieldErrors, field: string, password: string) {
  if (!password) errors[field] = 'Enter your current password.';
  else if (!loginPasswordSchema.safeParse(password).success) errors[field] = 'That password is too long or not valid.';
}

/** The answers of a password (and code) check, each next to the field it concerns. */
const wrongPassword = (field: string, codeField: string) => ({
  invalid_credentials: { field, message: 'The current password is incorrect.' },
  invalid_code: { field: codeField, message: 'That code is not right, or was already used.' },
  second_factor_required: { field: codeField, message: 'Enter a code from your authenticator app or a recovery code.' },
  email_not_verified: { field: 'form', message: 'Verify your email address first.' },
  rate_limited: { field: 'form', message: 'Too many failed attempts. Try again later.' },
});

/** The page status of a failed check: 401 for a wrong password or code, 403, 429, else 400. */
const failedStatus = (status: number) => ([401, 403, 429].includes(status) ? (status as 401 | 403 | 429) : 400);

export const accountLifecyclePages = new Hono<PageEnv>()
  .post('/account/email', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return loginRedirect(c);
    const form = await readForm(c.req);
    const errors: FieldErrors = {};
    const newEmail = checkField(errors, 'newEmail', 'New email address', emailSchema, form.newEmail);
    const password = form.emailPassword ?? '';
    checkPassword(errors, 'emailPassword', password);
    if (newEmail === undefined || Object.keys(errors).length > 0) return renderAccount(c, auth, { errors }, 400);
    try {
      const code = form.emailCode?.slice(0, 64) || undefined;
      await requestEmailChange(c.var.services, auth, { password, newEmail, code });
    } catch (error) {
      const failure = failureFrom(error, {}, wrongPassword('emailPassword', 'emailCode'));
      return renderAccount(c, auth, { errors: failure.errors }, failedStatus(failure.status));
    }
    return c.redirect('/account?notice=email-change-sent', 303);
  })
  .post('/account/delete', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return loginRedirect(c);
    const form = await readForm(c.req);
    const password = form.deletePassword ?? '';
    const errors: FieldErrors = {};
    checkPassword(errors, 'deletePassword', password);
    if (Object.keys(errors).length > 0) return renderAccount(c, auth, { errors }, 400);
    try {
      await deleteAccount(c.var.services, auth, { password, code: form.deleteCode?.slice(0, 64) || undefined });
    } catch (error) {
      const failure = failureFrom(error, {}, wrongPassword('deletePassword', 'deleteCode'));
      return renderAccount(c, auth, { errors: failure.errors }, failedStatus(failure.status));
    }
    clearSessionCookies(c);
    return c.redirect('/signin?notice=account-deleted', 303);
  })
  .get('/confirm-email-change', (c) => {
    const token = c.req.query('token') ?? '';
    if (!isPlausibleToken(token)) {
      return renderLinkProblem(c, linkText, 'This link has no valid token. Open the link from your mail again.');
    }
    return renderPage(
      c,
      <Layout title="Confirm your new email">
        <Card title="Confirm your new email">
          <p>Confirm that this address should become the email of your account.</p>
          <form method="post" action="/confirm-email-change">
            <CsrfField />
            <input type="hidden" name="token" value={token} />
            <button type="submit" class="wide">
              Use this email address
            </button>
          </form>
        </Card>
      </Layout>,
    );
  })
  .post('/confirm-email-change', async (c) => {
    const { token = '' } = await readForm(c.req);
    try {
      if (!isPlausibleToken(token)) throw new AuthError('invalid_token', 'This confirmation link is not valid.');
      const user = await confirmEmailChange(c.var.services, token);
      return renderPage(
        c,
        <Layout title="Email changed">
          <Card title="Email changed">
            <Alert kind="ok">Your email address is now {user.email}. Every other session was signed out.</Alert>
            <p>
              <a href="/account">Go to your account</a>
            </p>
          </Card>
        </Layout>,
      );
    } catch (error) {
      if (error instanceof AuthError && error.code === 'conflict') {
        return renderLinkProblem(c, linkText, 'That address now belongs to another account. Nothing was changed.', 409);
      }
      return renderLinkFailure(c, linkText, error);
    }
  });
