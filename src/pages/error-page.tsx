// What a browser sees when a page request fails past its own handling: a storage outage (503, with
// Retry-After), a bug (500), or any other problem the page did not answer itself. A page, never a
// JSON problem document, in the same frame and under the same headers as every other page.
import type { Context } from 'hono';
import type { ErrorCode } from '../core/kit/errors';
import type { AppEnv } from '../web/context';
import type { PageEnv } from '../web/page-env';
import { problemCatalogue } from '../web/problem';
import { pageHeaders } from '../web/security-headers';
import { Alert, Card, Layout } from './layout';
import { renderPage } from './render';

const messages: Partial<Record<ErrorCode, { title: string; text: string }>> = {
  unavailable: {
    title: 'Temporarily unavailable',
    text: 'We cannot reach our storage right now. Nothing was changed. Wait a moment, then try again.',
  },
  not_found: {
    title: 'Page not found',
    text: 'There is no page at this address. Check the link, or start again from the sign-in page.',
  },
  internal: {
    title: 'Something went wrong',
    text: 'Something went wrong on our side. Nothing was changed. Try again later.',
  },
};

export function renderErrorPage(c: Context<AppEnv>, code: ErrorCode, detail: string, headers: Record<string, string>) {
  const { status, title } = problemCatalogue[code];
  const message = messages[code] ?? { title, text: detail };
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  // A page request whose failure came before the CSRF middleware has no token yet; renderPage
  // then renders the frame without one (this page has no form).
  return renderPage(
    c as unknown as Context<PageEnv>,
    <Layout title={message.title}>
      <Card title={message.title}>
        <Alert kind="error">{message.text}</Alert>
        <p>
          <a href="/signin">Go to sign in</a>
        </p>
      </Card>
    </Layout>,
    status,
  );
}

/**
 * A browser that asked for an address with no route: the not-found page, under the pages'
 * headers (the API's policy, which every response gets, would block the page's stylesheet).
 */
export async function renderNotFoundPage(c: Context<AppEnv>): Promise<Response> {
  // The header middleware reads only the bindings; Hono types it for an environment without variables.
  await pageHeaders(c as Context, async () => {
    c.res = await renderErrorPage(c, 'not_found', '', {});
  });
  return c.res;
}
