// The benchmark's worker: the real Latchkey app, plus one route that runs a bare PBKDF2 at the
// production parameters in the same runtime, and one that adds to it only the binding calls a
// login cannot skip (its floor). Login is steered by its ratio to those routes, so they must not
// share any of the app's overhead (routing, services, storage). Served only by
// bench/wrangler.toml; src/index.ts never imports this file.
//
// Two more routes split what a request of this Worker costs before the app: `/__bench/bare` answers
// like the bare Hono Worker's /health with no app code at all (what this Worker's configuration
// costs: its bindings, its size), and `/__bench/bare-headers` adds the headers the
// app's /health sends (what the security headers cost on their way out).
//
// The app sees an instrumented D1 binding (./instrumented-d1.ts) that counts round trips, read
// at /__bench/d1-trips, and delays each primary trip by BENCH_PRIMARY_RTT_MS.
import { createApp } from '../src/app';
import type { Env } from '../src/config';
import { PBKDF2_ITERATIONS } from '../src/core/passwords/password';
import { type RoundTrips, instrumentD1 } from './instrumented-d1';

type BenchEnv = Env & { BENCH_PRIMARY_RTT_MS?: string };

const app = createApp();
/**
 * The same app with a log sink that writes nothing: its sign-in without the audit line's console
 * call (every line is still built, after the same digest of the client's address). Under
 * `wrangler dev` each console call also travels to wrangler's DevTools session, which production
 * does not have; this app measures what the audit log, a safeguard, costs a login here.
 */
const unloggedApp = createApp({ log: () => {} });
// A fixed salt: random values are refused in global scope, and the salt does not change the cost.
const salt = new TextEncoder().encode('latchkey-bench-1');
const password = new TextEncoder().encode('correct horse battery staple');
const trips: RoundTrips = { primary: 0, replica: 0 };
// One instrumented env per bindings object, so the app's per-isolate services stay cached.
const instrumented = new WeakMap<BenchEnv, Env>();

async function barePbkdf2(): Promise<Response> {
  const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PBKDF2_ITERATIONS },
    key,
    256,
  );
  return new Response(JSON.stringify({ bytes: bits.byteLength }), { headers: { 'content-type': 'application/json' } });
}

/**
 * The floor of a login, with no app code at all: what a login cannot skip in this runtime. The
 * per-client rate-limit call, one D1 round trip (the account and its attempt counter), the hash,
 * and a second D1 round trip (the session). Locally each binding call is a request to a Durable
 * Object inside workerd; in production the limiter is answered on the same machine.
 */
async function loginFloor(env: BenchEnv): Promise<Response> {
  const db = appEnv(env).DB;
  await env.RATE_LIMIT_CREDENTIALS?.limit({ key: 'bench-floor' });
  await db.prepare('select 1').first();
  await barePbkdf2();
  await db.prepare('select 1').first();
  return new Response('{}', { headers: { 'content-type': 'application/json' } });
}

const healthBody = JSON.stringify({ status: 'ok' });
/** The headers of the app's own /health answer, read once per isolate from the app itself. */
let appHealthHeaders: [string, string][] | undefined;

async function bareWithAppHeaders(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
  const health = await app.fetch(new Request(new URL('/health', request.url)), appEnv(env), ctx);
  appHealthHeaders = [...health.headers];
  return new Response(healthBody, { headers: appHealthHeaders });
}

/**
 * The same bindings with SESSION_READS=primary: session checks read the database directly instead
 * of through D1's Sessions API (which lets a read replica answer once replication is on). Locally
 * there is one database either way, as for Better Auth, which reads without sessions.
 */
const primaryReading = new WeakMap<BenchEnv, Env>();
function primaryReadsEnv(env: BenchEnv): Env {
  let wrapped = primaryReading.get(env);
  if (!wrapped) primaryReading.set(env, (wrapped = { ...appEnv(env), SESSION_READS: 'primary' }));
  return wrapped;
}

function appEnv(env: BenchEnv): Env {
  let wrapped = instrumented.get(env);
  if (!wrapped) {
    wrapped = { ...env, DB: instrumentD1(env.DB, Number(env.BENCH_PRIMARY_RTT_MS ?? 0), trips) };
    instrumented.set(env, wrapped);
  }
  return wrapped;
}

export default {
  fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url);
    if (pathname === '/__bench/pbkdf2') return barePbkdf2();
    if (pathname === '/__bench/login-floor') return loginFloor(env);
    if (pathname === '/__bench/primary-reads/me')
      return app.fetch(new Request(new URL('/me', request.url), request), primaryReadsEnv(env), ctx);
    if (pathname === '/__bench/unlogged/auth/login')
      return unloggedApp.fetch(new Request(new URL('/auth/login', request.url), request), appEnv(env), ctx);
    if (pathname === '/__bench/d1-trips') return Response.json(trips);
    if (pathname === '/__bench/bare')
      return new Response(healthBody, { headers: { 'content-type': 'application/json' } });
    if (pathname === '/__bench/bare-headers')
      return appHealthHeaders
        ? new Response(healthBody, { headers: appHealthHeaders })
        : bareWithAppHeaders(request, env, ctx);
    return app.fetch(request, appEnv(env), ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
