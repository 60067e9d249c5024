// The Deno entry (deno/main.ts) as production runs it: `deno serve` with ENVIRONMENT=production,
// every setting production requires (freshly generated keys) and the README's permissions. A
// binding the Worker has but Deno lacks fails the configuration, and then every request is 500.
import type {} from '@cloudflare/workers-types/index.ts';
import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { openDenoEnv, RATE_LIMITS } from '../env.ts';

const repoRoot = new URL('../../', import.meta.url);
const ADMIN_API_KEY = 'an-admin-key-long-enough-for-production-0123';

async function generateSigningJwk(): Promise<string> {
  const { privateKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', privateKey);
  return JSON.stringify({ kty, crv, x, y, d, kid: 'production-test', alg: 'ES256', use: 'sig' });
}

function generateDataEncryptionKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

async function productionSettings(dataDir: string): Promise<Record<string, string>> {
  return {
    ENVIRONMENT: 'production',
    APP_URL: 'https://auth.example.com',
    MAIL_PROVIDER: 'resend',
    MAIL_FROM: 'Latchkey <auth@example.com>',
    RESEND_API_KEY: 're_test_not_used',
    JWT_PRIVATE_JWK: await generateSigningJwk(),
    DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
    ADMIN_API_KEY,
    DATABASE_PATH: `${dataDir}/latchkey.sqlite`,
    KV_PATH: `${dataDir}/kv.sqlite`,
  };
}

/** What the child process needs of this one's environment to find Deno's cache. */
function runtimeEnvironment(): Record<string, string> {
  return Object.fromEntries(
    ['HOME', 'PATH', 'DENO_DIR', 'XDG_CACHE_HOME', 'TMPDIR', 'NO_COLOR'].flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** `deno serve deno/main.ts` on a free port; `origin` resolves once it listens. */
function serveEntry(settings: Record<string, string>, dataDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    cwd: repoRoot,
    args: [
      'serve',
      '--host=127.0.0.1',
      '--port=0',
      '--allow-net',
      `--allow-read=.,${dataDir}`,
      `--allow-write=${dataDir}`,
      '--allow-env',
      'deno/main.ts',
    ],
    clearEnv: true,
    env: { ...runtimeEnvironment(), ...settings },
    stdin: 'null',
    stdout: 'piped',
    stderr: 'piped',
  }).spawn();
  let output = '';
  const { promise: origin, resolve, reject } = Promise.withResolvers<string>();
  const timer = setTimeout(() => reject(new Error(`deno serve did not start:\n${output}`)), 60_000);
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      const listening = /Listening on (http:\/\/[^/\s]+)/.exec(output);
      if (listening) resolve(listening[1]);
    }
  };
  const drained = Promise.all([collect(child.stdout), collect(child.stderr)]);
  child.status.then((status) => reject(new Error(`deno serve exited with ${status.code}:\n${output}`)));
  return {
    origin,
    output: () => output,
    async [Symbol.asyncDispose]() {
      clearTimeout(timer);
      try {
        child.kill('SIGTERM');
      } catch {
        // Already ended.
      }
      await child.status;
      await drained;
    },
  };
}

Deno.test('the Deno entry serves requests that read the configuration with production settings', async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: 'latchkey-production-' });
  try {
    await using server = serveEntry(await productionSettings(dataDir), dataDir);
    const origin = await server.origin;

    await t.step('a sign-in with an unknown user is 401 invalid_credentials, not 500', async () => {
      const response = await fetch(`${origin}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: 'nobody', password: 'not the password' }),
      });
      const body = (await response.json()) as { code?: string };
      assertEquals(
        { status: response.status, type: response.headers.get('content-type'), code: body.code },
        { status: 401, type: 'application/problem+json', code: 'invalid_credentials' },
        server.output(),
      );
    });

    await t.step('an admin request with a wrong key is 401, not 500', async () => {
      const response = await fetch(`${origin}/admin/users`, { headers: { authorization: 'Bearer wrong-key' } });
      await response.body?.cancel();
      assertEquals(response.status, 401, server.output());
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test('binds every [[ratelimits]] of wrangler.toml with the same limits', async () => {
  const toml = await Deno.readTextFile(new URL('wrangler.toml', repoRoot));
  const declared = Object.fromEntries(
    [...toml.matchAll(/\[\[ratelimits\]\][^[]*?name = "(\w+)"[^[]*?limit = (\d+), period = (\d+)/g)].map(
      ([, name, limit, period]) => [name, { limit: Number(limit), periodSeconds: Number(period) }],
    ),
  );
  assert(Object.keys(declared).length > 0, 'wrangler.toml declares no [[ratelimits]]');
  assertEquals(RATE_LIMITS, declared);

  const dataDir = await Deno.makeTempDir({ prefix: 'latchkey-bindings-' });
  const settings: Record<string, string> = { DATABASE_PATH: `${dataDir}/db.sqlite`, KV_PATH: `${dataDir}/kv.sqlite` };
  const resources = await openDenoEnv((name) => settings[name]);
  try {
    const env = resources.env as unknown as Record<string, Partial<RateLimit> | undefined>;
    for (const name of Object.keys(declared)) assertEquals(typeof env[name]?.limit, 'function', `${name} is unbound`);
  } finally {
    resources.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
