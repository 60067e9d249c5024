// Rendering a page: what every page needs from the request (the app's name for the frame, this
// browser's CSRF token for every form) is read here once and set for the one synchronous call that
// turns the page into a string, so handlers and views pass only what is theirs. Not Hono's JSX
// context: importing it brings Hono's client-side JSX renderer into the bundle (6.5 KB gzip).
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { readConfig } from '../config';
import type { PageEnv } from '../web/page-env';

interface PageFrame {
  appName: string;
  /** Empty outside the page routes (the development mailbox has no forms). */
  csrfToken: string;
}

const NO_FRAME: PageFrame = { appName: '', csrfToken: '' };
let currentFrame = NO_FRAME;

/** The frame of the page being rendered. */
export function usePageFrame(): PageFrame {
  return currentFrame;
}

/** Answers with a page; its Layout and CsrfFields read the app's name and the CSRF token. */
export function renderPage(c: Context<PageEnv>, page: Child, status?: ContentfulStatusCode) {
  const frame = { appName: readConfig(c.env).APP_NAME, csrfToken: c.var.csrfToken ?? '' };
  // The components run while the page becomes a string, synchronously (no page component is
  // async), so the frame set around that one call is the one they read, whatever other requests
  // the isolate serves meanwhile.
  currentFrame = frame;
  try {
    const html = (page ?? '').toString();
    if (html instanceof Promise) throw new Error('A page component is async; pages must render synchronously.');
    return c.html(String(html), status);
  } finally {
    currentFrame = NO_FRAME;
  }
}
