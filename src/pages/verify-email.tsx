// GET/POST /verify-email: the page behind the link in the verification mail. A GET never
// consumes the token (mail scanners and link previews follow links); it shows a button, and
// only the form's POST verifies.
import { Hono } from 'hono';
import * as accounts from '../core/accounts';
import { AuthError } from '../core/errors';
import { readConfig } from '../config';
import type { PageEnv } from '../web/page-env';
import { readForm } from './form';
import { Alert, Card, CsrfField, Layout } from './layout';

const MAX_TOKEN_LENGTH = 512;

function LinkProblem(props: { appName: string; title: string; message: string }) {
  return (
    <Layout appName={props.appName} title={props.title}>
      <Card title={props.title}>
        <Alert kind="error">{props.message}</Alert>
        <p>
          <a href="/resend-verification">Get a new verification link</a>
        </p>
      </Card>
    </Layout>
  );
}

export const verifyEmailPages = new Hono<PageEnv>()
  .get('/verify-email', (c) => {
    const appName = readConfig(c.env).APP_NAME;
    const token = c.req.query('token') ?? '';
    if (!token || token.length > MAX_TOKEN_LENGTH) {
      return c.html(
        <LinkProblem
          appName={appName}
          title="Verify your email"
          message="This link has no valid token. Open the link from your mail again."
        />,
        400,
      );
    }
    return c.html(
      <Layout appName={appName} title="Verify your email">
        <Card title="Verify your email">
          <p>Confirm that this is your email address to finish creating your account.</p>
          <form method="post" action="/verify-email">
            <CsrfField token={c.var.csrfToken} />
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
    const appName = readConfig(c.env).APP_NAME;
    const { token = '' } = await readForm(c.req);
    try {
      if (!token || token.length > MAX_TOKEN_LENGTH)
        throw new AuthError('invalid_token', 'This verification link is not valid.');
      await accounts.verifyEmail(c.var.services, token);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const message =
        error.code === 'token_expired'
          ? 'This verification link has expired.'
          : 'This verification link is not valid or has already been used.';
      return c.html(<LinkProblem appName={appName} title="Verification failed" message={message} />, 400);
    }
    return c.html(
      <Layout appName={appName} title="Email verified">
        <Card title="Email verified">
          <Alert kind="ok">Your email address is verified.</Alert>
          <p>
            <a href="/signin">Sign in to your account</a>
          </p>
        </Card>
      </Layout>,
    );
  });
