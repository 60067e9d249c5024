// Rendering a page: what every page needs from the request (the app's name for the frame, this
// browser's CSRF token for every form) is read here once and handed down through a JSX context,
// so handlers and views pass only what is theirs.
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { createContext, useContext } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { readConfig } from '../config';
import type { PageEnv } from '../web/page-env';

interface PageFrame {
  appName: string;
  /** Empty outside the page routes (the development mailbox has no forms). */
  csrfToken: string;
}

const PageFrameContext = createContext<PageFrame>({ appName: '', csrfToken: '' });

/** The frame of the page being rendered. */
export function usePageFrame(): PageFrame {
  return useContext(PageFrameContext);
}

/** Answers with a page; its Layout and CsrfFields read the app's name and the CSRF token. */
export function renderPage(c: Context<PageEnv>, page: Child, status?: ContentfulStatusCode) {
  const frame = { appName: readConfig(c.env).APP_NAME, csrfToken: c.var.csrfToken ?? '' };
  return c.html(<PageFrameContext.Provider value={frame}>{page}</PageFrameContext.Provider>, status);
}
