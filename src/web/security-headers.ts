// Security headers, one policy configured by options: no MIME sniffing, HSTS, no referrer (links
// carry tokens), no framing, a CSP, and no caching of auth responses or personal pages. The API
// sends a CSP that allows nothing, on every response (errors and 404s included) without replacing
// what a route set itself, and only the headers a JSON answer is read with (OWASP's REST set, plus
// Cross-Origin-Resource-Policy): the ones that only a document or a retired browser reads
// (COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options, X-XSS-Protection,
// X-Permitted-Cross-Domain-Policies) are left to the pages, whose every answer is HTML; the pages send a CSP that allows only their own stylesheet (no script
// at all, so an injected tag can do nothing) and replace the API's, except that /signin and
// /account may load this worker's own passkey module (never inline script). CORS is an explicit allowlist;
// credentials are allowed only for listed origins, never for "*".
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { type Config, type Env, readConfig } from '../config';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
type ContentSecurityPolicy = NonNullable<SecureHeadersOptions['contentSecurityPolicy']>;

export interface SecurityHeaderOptions {
  /** The CSP; a function of the configuration is built once per configuration. */
  contentSecurityPolicy: ContentSecurityPolicy | ((config: Config) => ContentSecurityPolicy);
  /** Strict-Transport-Security; Hono's default when absent. */
  strictTransportSecurity?: string;
  /** Whether these headers, cache-control included, replace the ones a route set itself. */
  overwrite: boolean;
  /** Whether the answers are documents (HTML): then the headers only documents read are sent too. */
  documents: boolean;
}

/** Headers that only an HTML document (or a browser retired long ago) acts on. */
const DOCUMENT_ONLY_HEADERS_OFF = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

export function securityHeaders(options: SecurityHeaderOptions) {
  const { contentSecurityPolicy: csp, strictTransportSecurity, overwrite, documents } = options;
  const build = (contentSecurityPolicy: ContentSecurityPolicy) =>
    secureHeaders({
      ...(documents ? {} : DOCUMENT_ONLY_HEADERS_OFF),
      contentSecurityPolicy,
      ...(strictTransportSecurity === undefined ? {} : { strictTransportSecurity }),
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      overwrite,
    });
  // A fixed CSP is built now; one that depends on the configuration is built on first use and
  // kept per configuration object (readConfig returns the same object for the same env).
  const fixed = typeof csp === 'function' ? undefined : build(csp);
  const perConfig = new WeakMap<Config, ReturnType<typeof secureHeaders>>();
  const headersFor = (env: Env) => {
    if (typeof csp !== 'function') return fixed ?? build(csp);
    const config = readConfig(env);
    let middleware = perConfig.get(config);
    if (!middleware) perConfig.set(config, (middleware = build(csp(config))));
    return middleware;
  };

  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    await headersFor(c.env)(c, next);
    // Routes that are meant to be cached (the JWKS, stylesheets) say so themselves.
    if (overwrite || !c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
}

/** Every response: a CSP that allows nothing and no framing. */
export const apiHeaders = securityHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
  },
  strictTransportSecurity: 'max-age=63072000; includeSubDomains',
  overwrite: false,
  documents: false,
});

/**
 * HTML pages: their own stylesheet and images only. form-action also lists the
 * RETURN_URL_ALLOWLIST origins because Chromium applies it to the redirect after a form post.
 */
const pagePolicy = (config: Config): ContentSecurityPolicy => ({
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  formAction: ["'self'", ...new Set(config.RETURN_URL_ALLOWLIST.map((entry) => new URL(entry).origin))],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
});

export const pageHeaders = securityHeaders({ contentSecurityPolicy: pagePolicy, overwrite: true, documents: true });

/**
 * The pages with passkey controls (/signin, /account): the same policy, plus this worker's own
 * script module and its calls to the API. Still no inline script and no other origin.
 */
export const pageHeadersWithScript = securityHeaders({
  contentSecurityPolicy: (config) => ({ ...pagePolicy(config), scriptSrc: ["'self'"], connectSrc: ["'self'"] }),
  overwrite: true,
  documents: true,
});

const listedOriginsCors = cors({
  origin: (origin, c) => {
    try {
      return readConfig(c.env).CORS_ORIGINS.includes(origin) ? origin : null;
    } catch {
      // A configuration error is reported by the request itself; CORS just allows nothing.
      return null;
    }
  },
  credentials: true,
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  maxAge: 600,
});

/**
 * CORS for the listed origins. A request without an Origin header is not a cross-origin request
 * (a browser sends Origin on every CORS request and preflight): it gets only `Vary: Origin`, since
 * the answer would differ with one, and none of the CORS headers that only mean something beside
 * an allowed origin. Nor does it pay for them: Hono's cors sets its headers before the route runs,
 * which makes the route's response be copied once more.
 */
export const corsForListedOrigins = createMiddleware(async (c, next) => {
  if (c.req.method === 'OPTIONS' || c.req.header('origin') !== undefined) return listedOriginsCors(c, next);
  await next();
  c.header('vary', 'Origin', { append: true });
});
