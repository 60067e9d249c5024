// Better Auth's options for the benchmark, shared by the served Worker (./worker.mjs), the
// same-feature size build (./full.mjs) and the schema (./setup.mjs), so all three agree. Set up
// the way its documentation sets up a Worker: D1 through its native dialect, email and password
// on. Its per-client limiter stays in the request path with limits no benchmark reaches, as
// Latchkey's does (bench/wrangler.toml), so each row measures the work and not the refusal.

/** Far above what one row sends in its seconds. */
const unreachable = { window: 60, max: 1_000_000_000 };

/** The options of an email-and-password Better Auth; `plugins` adds features for the size build. */
export function betterAuthOptions({ database, secret, baseURL, plugins = [] }) {
  return {
    database,
    secret,
    baseURL,
    emailAndPassword: { enabled: true },
    plugins,
    telemetry: { enabled: false },
    rateLimit: {
      enabled: true,
      storage: 'memory',
      ...unreachable,
      customRules: { '/sign-in/*': unreachable, '/sign-up/*': unreachable },
    },
    // Cloudflare sets CF-Connecting-IP, and a client cannot; wrangler dev sets it too.
    advanced: { ipAddress: { ipAddressHeaders: ['cf-connecting-ip'] } },
  };
}
