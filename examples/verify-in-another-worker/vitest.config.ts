import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { readFile } from 'node:fs/promises';
import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain ESM script shared with `npm run dev`, without type declarations.
import { generateSigningJwk } from '../../scripts/generate-jwk.mjs';
// @ts-expect-error: likewise.
import { generateDataEncryptionKey } from '../../scripts/generate-data-key.mjs';

// Two Workers side by side, as in production: this example is the Worker under test, and
// Latchkey runs next to it as an auxiliary Worker behind the LATCHKEY service binding. Latchkey is
// its real deployment bundle (`wrangler deploy --dry-run`, run by `npm run test:example`).
// Paths are from the repository root, where the npm script runs.
const example = 'examples/verify-in-another-worker';

export default defineConfig(async () => {
  const signingJwk = await generateSigningJwk();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: `${example}/wrangler.toml` },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations('migrations'),
            // The tests forge tokens with Latchkey's own key to check each pinned claim.
            TEST_LATCHKEY_PRIVATE_JWK: JSON.stringify(signingJwk),
          },
          // The same database id as Latchkey's DB, so the tests can apply its migrations.
          d1Databases: { LATCHKEY_DB: 'latchkey-example-db' },
          // One revocation namespace, written by Latchkey and read by this Worker, as deployed.
          kvNamespaces: { LATCHKEY_REVOCATIONS: 'latchkey-example-revocations' },
          workers: [
            {
              name: 'latchkey',
              modules: true,
              scriptPath: '.wrangler/example-latchkey/index.js',
              compatibilityDate: '2026-11-01',
              d1Databases: { DB: 'latchkey-example-db' },
              kvNamespaces: { KV: 'latchkey-example-kv', REVOCATIONS: 'latchkey-example-revocations' },
              // Its static assets (public/, the static-data Worker of wrangler.assets.toml, bound as a service): the common-password list.
              serviceBindings: {
                ASSETS: async (request: Request) => {
                  const path = new URL(request.url).pathname;
                  if (path !== '/common-passwords.json') return new Response('Not found', { status: 404 });
                  return new Response(await readFile(`public${path}`), {
                    headers: { 'content-type': 'application/json' },
                  });
                },
              },
              bindings: {
                ENVIRONMENT: 'development',
                MAIL_PROVIDER: 'console',
                APP_URL: 'https://app.example',
                JWT_ISSUER: 'latchkey',
                JWT_AUDIENCE: 'latchkey',
                JWT_PRIVATE_JWK: JSON.stringify(signingJwk),
                DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
              },
            },
          ],
        },
      }),
    ],
    test: {
      name: 'verify-in-another-worker',
      include: [`${example}/test/**/*.test.ts`],
      setupFiles: [`${example}/test/apply-migrations.ts`],
    },
  };
});
