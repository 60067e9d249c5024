// The benchmark's worker: the real Latchkey app, plus one route that runs a bare PBKDF2 at the
// production parameters in the same runtime. Login is steered by its ratio to that route, so the
// route must not share any of the app's overhead (routing, services, storage). Served only by
// bench/wrangler.toml; src/index.ts never imports this file.
import { createApp } from '../src/app';
import type { Env } from '../src/config';
import { PBKDF2_ITERATIONS } from '../src/core/password';

const app = createApp();
// A fixed salt: random values are refused in global scope, and the salt does not change the cost.
const salt = new TextEncoder().encode('latchkey-bench-1');
const password = new TextEncoder().encode('correct horse battery staple');

async function barePbkdf2(): Promise<Response> {
  const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PBKDF2_ITERATIONS },
    key,
    256,
  );
  return new Response(JSON.stringify({ bytes: bits.byteLength }), { headers: { 'content-type': 'application/json' } });
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname === '/__bench/pbkdf2') return barePbkdf2();
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
