// Builds the Hono app: middleware, route groups, and the one error handler that turns every
// failure into a problem document. Unknown errors are logged by name only: a driver's error
// messages embed the SQL and its bound parameters (password hashes included).
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from './config';
import { AuthError, type ErrorCode, type FieldIssue } from './core/kit/errors';
import { challengeEvery401 } from './http/auth-challenge';
import type { AppEnv } from './web/context';
import { clientIp, hashClientIp } from './web/client-ip';
import { isStateChanging } from './web/csrf';
import { problemResponse } from './web/problem';
import { apiHeaders, corsForListedOrigins } from './web/security-headers';
import { accountRoutes } from './http/routes/accounts';
import { adminRoutes } from './http/routes/admin';
import { aliasRoutes } from './http/routes/aliases';
import { emailChangeRoutes } from './http/routes/email-change';
import { emailSignInRoutes } from './http/routes/email-sign-in';
import { identityRoutes } from './http/routes/identities';
import { sessionRoutes } from './http/routes/sessions';
import { devRoutes } from './dev/routes';
import { meRoutes } from './http/routes/me';
import { mfaRoutes } from './http/routes/mfa';
import { passkeyRoutes } from './http/routes/passkeys';
import { wellKnownRoutes } from './http/routes/well-known';
import { isPagePath, pageRoutes } from './pages';
import { renderErrorPage, renderNotFoundPage } from './pages/error-page';
import { prefersHtml } from './pages/mailbox';
import { consoleSink } from './log-sink';
import { type ServiceOverrides, createReadinessCheck, createServiceFactory } from './services';
import { classifyStorageError, toUnavailable } from './storage/transient-errors';
import { clientLocationOf } from './web/client-location';
import { activityRoutes, webhookAdminRoutes } from './http/routes/webhooks';
import { adminOAuthClientRoutes } from './http/routes/admin-oauth-clients';
import { oauth2Routes } from './http/routes/oauth2';
import { connectedAppRoutes } from './http/routes/connected-apps';
import { OPENID_PAGE_PATHS, oauth2Pages } from './pages/oauth2-authorize';

export const MAX_BODY_BYTES = 16 * 1024;

export function createApp(overrides: ServiceOverrides = {}) {
  const log = overrides.log ?? consoleSink;
  const servicesFor = createServiceFactory(overrides);
  const readinessOf = createReadinessCheck(overrides);

  const app = new Hono<AppEnv>()
    // First, so that every response gets the headers: errors and 404s included.
    .use(apiHeaders)
    .use(challengeEvery401)
    .use(corsForListedOrigins)
    .use(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) => problemResponse(c, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`),
      }),
    )
    .use(async (c, next) => {
      let ipHash: Promise<string> | undefined;
      let origin: string | undefined;
      const request = {
        // Parsed only by the flows that write links or check passkey origins.
        get origin() {
          return (origin ??= new URL(c.req.url).origin);
        },
        clientIpHash: () => (ipHash ??= hashClientIp(clientIp(c))),
        location: () => clientLocationOf(c.req.raw),
        waitUntil: (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise),
        changesState: isStateChanging(c.req.method),
      };
      c.set('services', servicesFor(c.env, request));
      await next();
    })
    // A route that touches no storage: for uptime checks, and the benchmark's baseline.
    .get('/health', (c) => c.json({ status: 'ok' }))
    // A readiness probe for deployers who want one: one cheap read from D1 and one from KV.
    .get('/health/ready', async (c) => {
      const { d1, kv } = await readinessOf(c.env);
      const ready = d1 === 'ok' && kv === 'ok';
      return c.json({ status: ready ? 'ok' : 'unavailable', d1, kv }, ready ? 200 : 503, {
        'cache-control': 'no-store',
      });
    })
    // Generated at build time (`npm run openapi:generate`) into the static assets (public/), not
    // bundled; read through the ASSETS binding (wrangler.assets.toml) and sent with the API's headers.
    .get('/openapi.json', async (c) => {
      const asset = await c.env.ASSETS?.fetch(new Request('https://assets.local/openapi.json'));
      if (!asset?.ok) {
        throw new AuthError('unavailable', 'The OpenAPI document cannot be read right now.', [], {
          retryAfterSeconds: 5,
        });
      }
      return c.body(await asset.text(), 200, {
        'content-type': 'application/json',
        'cache-control': 'public, max-age=300',
      });
    })
    // The JSON API, one file per flow: login and sessions, the account, the logged-in user.
    .route('/auth', sessionRoutes)
    .route('/auth', accountRoutes)
    .route('/auth', mfaRoutes)
    .route('/auth', emailChangeRoutes)
    .route('/auth', emailSignInRoutes)
    .route('/auth', identityRoutes)
    // The deployer's admin API: 404 unless ADMIN_API_KEY is set (src/http/require-admin.ts).
    .route('/admin', adminRoutes)
    .route('/admin', webhookAdminRoutes)
    .route('/auth', activityRoutes)
    .route('/auth', passkeyRoutes)
    .route('/me', meRoutes)
    .route('/.well-known', wellKnownRoutes)
    // Latchkey as an OpenID Provider (docs/openid-provider.md): 404 without OIDC_RSA_PRIVATE_JWK.
    .route('/admin/oauth/clients', adminOAuthClientRoutes)
    .route('/oauth2', oauth2Routes)
    .route('/auth', connectedAppRoutes)
    .route('/oauth2', oauth2Pages)
    .route('/dev', devRoutes)
    .route('/', aliasRoutes)
    .route('/', pageRoutes);

  app.notFound((c) => {
    const path = c.req.path;
    const allowed = methodsAllowedFor(app, path);
    if (allowed.length > 0) {
      return problemResponse(c, 'method_not_allowed', `Use ${allowed.join(' or ')} for this route.`, [], {
        allow: allowed.join(', '),
      });
    }
    // Routes have one spelling, without a trailing slash: `/me/` is not `/me`, and answering it
    // as `/me` would serve paths that the OpenAPI document, the CSRF and the rate-limit paths
    // do not name. The detail points at the route that was probably meant (only a fixed route
    // path is named, so the answer never echoes what the client put in a parameter).
    const withoutSlash = path.replace(/\/+$/, '');
    if (withoutSlash !== path && app.routes.some((route) => route.path === withoutSlash && route.method !== 'ALL')) {
      return problemResponse(c, 'not_found', `No such route. Routes have no trailing slash: try ${withoutSlash}.`);
    }
    // A person who followed a bad link gets a page; a client asking for JSON, the problem document.
    if (prefersHtml(c.req.header('accept'))) return renderNotFoundPage(c);
    return problemResponse(c, 'not_found', 'No such route.');
  });

  app.onError((error, c) => {
    // A documented D1 or KV outage is the platform's, not a bug: 503 with Retry-After, and a
    // warning naming the outage's class only (the error's message may embed SQL and values).
    const unavailable = error instanceof AuthError ? null : toUnavailable(error);
    if (unavailable) {
      const kind = classifyStorageError(error)?.kind;
      log(
        JSON.stringify({
          level: 'warn',
          event: 'request.unavailable',
          method: c.req.method,
          path: c.req.path,
          error: kind,
        }),
      );
      error = unavailable;
    }
    if (error instanceof AuthError) {
      const headers: Record<string, string> =
        error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
      return answerError(c, error.code, error.detail, error.fieldIssues, headers, error.extensions);
    }
    // Hono's JSON validator throws a 400 HTTPException for a body that does not parse.
    if (error instanceof HTTPException && error.status === 400) {
      return problemResponse(c, 'invalid_json', 'The body is not valid JSON.');
    }
    if (error instanceof ConfigError) {
      log(JSON.stringify({ level: 'error', event: 'config.invalid', message: error.message }));
    } else {
      log(
        JSON.stringify({
          level: 'error',
          event: 'request.failed',
          method: c.req.method,
          path: c.req.path,
          error: error.name,
        }),
      );
    }
    return answerError(c, 'internal', 'Something went wrong on our side.');
  });

  return app;
}

/**
 * The answer to a failed request: a problem document for the API, a page for the pages (a browser
 * shown raw JSON cannot act on it). A configuration error cannot render the page frame; the
 * problem document answers then.
 */
function answerError(
  c: Context<AppEnv>,
  code: ErrorCode,
  detail: string,
  fieldIssues: FieldIssue[] = [],
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
) {
  if (isPagePath(c.req.path) || (OPENID_PAGE_PATHS as readonly string[]).includes(c.req.path)) {
    try {
      return renderErrorPage(c, code, detail, headers);
    } catch {
      // Falls through to the problem document.
    }
  }
  return problemResponse(c, code, detail, fieldIssues, headers, extensions);
}

/** The methods some route answers for this path; empty when no route has the path at all. */
function methodsAllowedFor(app: Hono<AppEnv>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const pattern = new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+')}$`);
    if (pattern.test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
