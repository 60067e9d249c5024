// The page for a mailed link (verification, password reset) that cannot be used, and the bound on
// a token read from such a link: longer than any token we issue, so nothing is looked up for it.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuthError } from '../core/kit/errors';
import { problemStatus } from '../web/problem';
import { Alert, Card, Layout } from './layout';
import { renderPage } from './render';

export const MAX_TOKEN_LENGTH = 512;

/** A token from a link or a form: present and within the bound. */
export function isPlausibleToken(token: string): boolean {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}

export interface LinkProblemText {
  title: string;
  heading: string;
  /** Where a new link is asked for, and the words of that link. */
  retry: { href: string; label: string };
  expired: string;
  unusable: string;
}

export function renderLinkProblem(
  c: Context,
  text: LinkProblemText,
  message: string,
  status: ContentfulStatusCode = 400,
): Response | Promise<Response> {
  return renderPage(
    c,
    <Layout title={text.title}>
      <Card title={text.heading}>
        <Alert kind="error">{message}</Alert>
        <p>
          <a href={text.retry.href}>{text.retry.label}</a>
        </p>
      </Card>
    </Layout>,
    status,
  );
}

/**
 * A flow's refusal of a link as its page: an expired link or an unusable one, with the status
 * the one catalogue gives the code (token_expired is 403, invalid_token 400). Anything that is
 * not an AuthError is rethrown, for the app's error handler.
 */
export function renderLinkFailure(c: Context, text: LinkProblemText, error: unknown) {
  if (!(error instanceof AuthError)) throw error;
  const message = error.code === 'token_expired' ? text.expired : text.unusable;
  return renderLinkProblem(c, text, message, problemStatus(error.code));
}
