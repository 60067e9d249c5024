// The pages behind the links in mail. A GET never consumes a token (mail scanners follow links);
// it shows a form, and only the form's POST acts. They work without JavaScript.
import { Hono, type HonoRequest } from 'hono';
import type { Child } from 'hono/jsx';
import * as accounts from '../../core/accounts';
import { AuthError } from '../../core/errors';
import type { AppEnv } from '../context';
import { problemStatus } from '../problem';
import { passwordSchema, tokenQuery } from '../schemas';
import { validQuery } from '../json-body';

function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
      </head>
      <body>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The text fields of a posted form; a missing or malformed body reads as empty. */
async function readForm(request: HonoRequest): Promise<Record<string, string>> {
  const body = await request.parseBody().catch(() => ({}));
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Runs a flow and turns its expected failures into a page message and status. */
async function outcome(run: () => Promise<void>): Promise<{ ok: true } | { ok: false; status: number; message: string }> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, status: problemStatus(error.code), message: error.detail };
    throw error;
  }
}

export const linkPages = new Hono<AppEnv>()
  .get('/verify-email', validQuery(tokenQuery), (c) => {
    const { token } = c.req.valid('query');
    return c.html(
      <Page title="Verify your email">
        {token ? (
          <form method="post" action="/verify-email">
            <input type="hidden" name="token" value={token} />
            <button type="submit">Verify my email</button>
          </form>
        ) : (
          <p>This link has no token. Open the link from your mail again.</p>
        )}
      </Page>,
    );
  })
  .post('/verify-email', async (c) => {
    const { token = '' } = await readForm(c.req);
    const result = await outcome(async () => {
      await accounts.verifyEmail(c.var.services, token);
    });
    if (result.ok) {
      return c.html(
        <Page title="Email verified">
          <p>Your email address is verified. You can sign in now.</p>
        </Page>,
      );
    }
    return c.html(
      <Page title="Verification failed">
        <p role="alert">{result.message} Ask for a new link from the sign-in page.</p>
      </Page>,
      result.status as 400,
    );
  })
  .get('/reset-password', validQuery(tokenQuery), (c) => {
    const { token } = c.req.valid('query');
    return c.html(
      <Page title="Choose a new password">
        {token ? (
          <form method="post" action="/reset-password">
            <input type="hidden" name="token" value={token} />
            <label for="password">New password (8 to 128 characters)</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength={8} maxlength={128} required />
            <button type="submit">Set password</button>
          </form>
        ) : (
          <p>This link has no token. Open the link from your mail again.</p>
        )}
      </Page>,
    );
  })
  .post('/reset-password', async (c) => {
    const { token = '', password: candidate = '' } = await readForm(c.req);
    const password = passwordSchema.safeParse(candidate);
    const result = password.success
      ? await outcome(() => accounts.resetPassword(c.var.services, { token, password: password.data }))
      : { ok: false as const, status: 400, message: 'The password must be 8 to 128 characters.' };
    if (result.ok) {
      return c.html(
        <Page title="Password changed">
          <p>Your password has been changed and every session was signed out. Sign in with the new password.</p>
        </Page>,
      );
    }
    return c.html(
      <Page title="Password not changed">
        <p role="alert">{result.message}</p>
      </Page>,
      result.status as 400,
    );
  });
