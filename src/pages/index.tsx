// The browser pages, mounted at the root by src/app.ts. Every page gets the security headers and
// a CSRF token; every form post passes the CSRF checks first (see src/web/form-csrf.ts).
import { type Context, Hono } from 'hono';
import { type RateLimitBinding, limitPerClient } from '../web/rate-limit';
import { accountPages } from './account';
import { twoStepPages } from './two-step';
import { accountLifecyclePages } from './account-lifecycle';
import { csrfProtection } from '../web/form-csrf';
import type { PageEnv } from '../web/page-env';
import { Alert, Card, Layout } from './layout';
import { renderPage } from './render';
import { passwordResetPages } from './password-reset';
import { registerPages } from './register';
import { pageHeaders, pageHeadersWithScript } from '../web/security-headers';
import { loginPages } from './login';
import { secondStepPages } from './signin-second-step';
import { styleRoutes } from './styles';
import { passkeyScriptRoutes } from './passkeys-script';
import { verifyEmailPages } from './verify-email';
import { emailSignInPages } from './email-sign-in';
import { outsideSignInPages } from './outside-sign-in';

// Middleware is attached to the page paths only: mounted at '/', a bare `.use()` would run for
// every request of the app, the JSON API included.
export const PAGE_PATHS = [
  '/',
  '/signin',
  '/signin/verify',
  '/signin/email',
  '/signin/email/request',
  '/register',
  '/register/email',
  '/resend-verification',
  '/verify-email',
  '/forgot-password',
  '/reset-password',
  '/account',
  '/account/*',
  '/signout',
  '/confirm-email-change',
] as const;

/** Whether a path is one of the pages (a browser's), so its failures answer with a page. */
export function isPagePath(path: string): boolean {
  // The outside providers' redirect and callback (outside-sign-in.tsx) answer pages too.
  if (path.startsWith('/auth/oauth/')) return true;
  return PAGE_PATHS.some((page) => (page.endsWith('/*') ? path.startsWith(page.slice(0, -1)) : path === page));
}

const refuseForm = csrfProtection((c, reason) =>
  renderPage(
    c,
    <Layout title="Form not accepted">
      <Card title="Form not accepted">
        <Alert kind="error">
          {reason === 'cross_origin'
            ? 'This form was sent from another site, so it was not accepted.'
            : 'This form has expired or was not sent from this site. Go back, reload the page and try again.'}
        </Alert>
        <p>
          <a href="/signin">Go to sign in</a>
        </p>
      </Card>
    </Layout>,
    403,
  ),
);

const tooManyRequests = (c: Context) =>
  renderPage(
    c,
    <Layout title="Too many attempts">
      <Card title="Too many attempts">
        <Alert kind="error">There were too many attempts from your network. Wait a minute, then try again.</Alert>
      </Card>
    </Layout>,
    429,
  );

// The same per-client limits as the JSON API, under the same keys.
const pageLimits: [string, RateLimitBinding, string][] = [
  ['/signin', 'RATE_LIMIT_CREDENTIALS', 'login'],
  ['/register', 'RATE_LIMIT_CREDENTIALS', 'register'],
  ['/verify-email', 'RATE_LIMIT_CREDENTIALS', 'verify-email'],
  ['/reset-password', 'RATE_LIMIT_CREDENTIALS', 'reset-password'],
  ['/account/password', 'RATE_LIMIT_CREDENTIALS', 'change-password'],
  ['/signin/verify', 'RATE_LIMIT_CREDENTIALS', 'login'],
  ['/signin/email', 'RATE_LIMIT_CREDENTIALS', 'login'],
  ['/signin/email/request', 'RATE_LIMIT_MAIL', 'email-sign-in'],
  ['/account/two-step/setup', 'RATE_LIMIT_CREDENTIALS', 'mfa-setup'],
  ['/account/two-step/confirm', 'RATE_LIMIT_CREDENTIALS', 'mfa-setup'],
  ['/account/two-step/recovery-codes', 'RATE_LIMIT_CREDENTIALS', 'mfa-change'],
  ['/account/two-step/disable', 'RATE_LIMIT_CREDENTIALS', 'mfa-change'],
  ['/account/email', 'RATE_LIMIT_MAIL', 'change-email'],
  ['/account/delete', 'RATE_LIMIT_CREDENTIALS', 'delete-account'],
  ['/confirm-email-change', 'RATE_LIMIT_CREDENTIALS', 'confirm-email-change'],
  ['/account/passkeys/remove', 'RATE_LIMIT_CREDENTIALS', 'passkey-remove'],
  ['/account/identities/link', 'RATE_LIMIT_CREDENTIALS', 'oauth'],
  ['/forgot-password', 'RATE_LIMIT_MAIL', 'forgot-password'],
  ['/resend-verification', 'RATE_LIMIT_MAIL', 'resend-verification'],
];

const pages = new Hono<PageEnv>();
// Only the pages with passkey controls may run script (their own module, nothing inline).
const scriptPaths = new Set<string>(['/signin', '/account', '/account/*']);
for (const path of PAGE_PATHS) pages.use(path, scriptPaths.has(path) ? pageHeadersWithScript : pageHeaders, refuseForm);
for (const [path, binding, route] of pageLimits) pages.post(path, limitPerClient(binding, route, tooManyRequests));
pages
  .get('/', (c) => c.redirect('/account', 303))
  .route('/', loginPages)
  .route('/', secondStepPages)
  .route('/', emailSignInPages)
  .route('/', outsideSignInPages)
  .route('/', registerPages)
  .route('/', verifyEmailPages)
  .route('/', passwordResetPages)
  .route('/', accountPages)
  .route('/', twoStepPages)
  .route('/', accountLifecyclePages);

export const pageRoutes = new Hono<PageEnv>().route('/', styleRoutes).route('/', passkeyScriptRoutes).route('/', pages);
