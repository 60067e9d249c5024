// The Deno entry: the same Hono app as the Worker (src/app.ts), given Deno's bindings (env.ts).
// `deno serve deno/main.ts` serves it; see README "Running on Deno" for the permissions it needs.
// For `deno check`: the Workers binding types src/ names as globals (D1Database, KVNamespace,
// RateLimit), from the package's module form, which does not clash with Deno's web types.
import type {} from '@cloudflare/workers-types/index.ts';
import { createApp } from '../src/app.ts';
import { createScheduledHandler } from '../src/scheduled.ts';
import { createQueueHandler } from '../src/events-queue.ts';
import { openDenoEnv } from './env.ts';
import { listenForDeliveries } from './kv-event-queue.ts';

const { env, kv } = await openDenoEnv();
const app = createApp();
// Behind a proxy that sets the client's address in a header (Cloudflare: CF-Connecting-IP), name
// it here; otherwise the connection's own address is the client's.
const trustedClientIpHeader = Deno.env.get('TRUSTED_CLIENT_IP_HEADER')?.trim().toLowerCase() || undefined;

// Work started with waitUntil (log lines, deferred writes) runs on; a failure is logged, never
// left unhandled, since Deno ends the process on an unhandled rejection.
const executionContext = {
  waitUntil(promise: Promise<unknown>) {
    promise.catch((error: unknown) =>
      console.log(
        JSON.stringify({
          level: 'error',
          event: 'deferred.failed',
          error: error instanceof Error ? error.name : 'unknown',
        }),
      ),
    );
  },
  passThroughOnException() {},
  props: {},
};

// The Worker's hourly Cron Trigger (wrangler.toml), as a Deno cron: expired sessions, forgotten
// refresh tokens and spent counters are deleted in bounded runs. A failed run is logged by the
// handler and retried at the next hour.
const CLEANUP_SCHEDULE = '17 * * * *';
const cleanup = createScheduledHandler();
// The handler uses no part of its context; the Workers type asks for platform-only members.
const cleanupContext = executionContext as unknown as ExecutionContext;
Deno.cron('latchkey cleanup', CLEANUP_SCHEDULE, () =>
  cleanup({ cron: CLEANUP_SCHEDULE, scheduledTime: Date.now(), noRetry() {} }, env, cleanupContext),
);

// Webhook deliveries: the Worker's queue consumer, fed by Deno KV's queue.
const deliver = createQueueHandler();
listenForDeliveries(kv, async (batch) => {
  await deliver(batch, env, cleanupContext);
});

// A scheduled cron keeps Deno's event loop alive after `deno serve` stops listening, so a stop
// signal (a process manager's SIGTERM, Ctrl-C) would leave the process running: end it here.
for (const signal of ['SIGTERM', 'SIGINT'] as const) Deno.addSignalListener(signal, () => Deno.exit(0));

export default {
  fetch(request: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response> {
    // src/web/client-ip.ts trusts only CF-Connecting-IP. Here it is set from the connection's own
    // address (or the trusted proxy's header), replacing anything the client sent, so a client
    // cannot pick its own rate-limit key.
    const headers = new Headers(request.headers);
    const proxied = trustedClientIpHeader ? request.headers.get(trustedClientIpHeader) : null;
    const remote = info.remoteAddr;
    headers.set('cf-connecting-ip', proxied ?? ('hostname' in remote ? remote.hostname : 'unknown'));
    return app.fetch(new Request(request, { headers }), env, executionContext);
  },
} satisfies Deno.ServeDefaultExport;
