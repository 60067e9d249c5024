// GET/POST /verify-email: the page behind the link in the verification mail. A GET never
// consumes the token (mail scanners and link previews follow links); it shows a button, and
// only the form's POST verifies.
import { Hono } from 'hono';
import * as accounts from '../core/accounts/accounts';
import { AuthError } from '../core/kit/errors';
import type { PageEnv } from '../web/page-env';
import { readForm } from './form';
import { Alert, Card, CsrfField, Layout } from './layout';
import { renderPage } from './render';
import { isPlausibleToken, renderLinkFailure, renderLinkProblem } from './link-problem';

const linkText = {
  title: 'Verify your email',
  heading: 'Verify your email',
  retry: { href: '/resend-verification', label: 'Get a new verification link' },
  expired: 'This verification link has expired.',
  unusable: 'This verification link is not valid or has already been used.',
};
const failedText = { ...linkText, title: 'Verification failed', heading: 'Verification failed' };

export const verifyEmailPages = new Hono<PageEnv>()
  .get('/verify-email', (c) => {
    const token = c.req.query('token') ?? '';
    if (!isPlausibleToken(token)) {
      return renderLinkProblem(c, linkText, 'This link has no valid token. Open the link from your mail again.');
    }
    return renderPage(
      c,
      <Layout title="Verify your email">
        <Card title="Verify your email">
          <p>Confirm that this is your email address to finish creating your account.</p>
          <form method="post" action="/verify-email">
            <CsrfField />
            <input type="hidden" name="token" value={token} />
            <button type="submit" class="wide">
              Confirm my email address
            </button>
          </form>
        </Card>
      </Layout>,
    );
  })
  .post('/verify-email', async (c) => {
    const { token = '' } = await readForm(c.req);
    try {
      if (!isPlausibleToken(token)) throw new AuthError('invalid_token', 'This verification link is not valid.');
      await accounts.verifyEmail(c.var.services, token);
    } catch (error) {
      return renderLinkFailure(c, failedText, error);
    }
    return renderPage(
      c,
      <Layout title="Email verified">
        <Card title="Email verified">
          <Alert kind="ok">Your email address is verified.</Alert>
          <p>
            <a href="/signin">Sign in to your account</a>
          </p>
        </Card>
      </Layout>,
    );
  });
