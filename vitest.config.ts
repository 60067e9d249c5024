import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain ESM script shared with `npm run dev`, without type declarations.
import { generateSigningJwk } from './scripts/generate-jwk.mjs';
// @ts-expect-error: likewise.
import { generateDataEncryptionKey } from './scripts/generate-data-key.mjs';
// @ts-expect-error: likewise.
import { generateRsaSigningJwk } from './scripts/generate-rsa-jwk.mjs';

// Two projects: the worker's tests run inside workerd against real local D1 and KV; tests that
// need Node-only tools (the independent OpenAPI validator) run in plain Node. Signing keys are
// made fresh per run, like .dev.vars, so no key is ever committed.
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  const signingJwk = await generateSigningJwk();
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  ENVIRONMENT: 'development',
                  MAIL_PROVIDER: 'console',
                  APP_URL: 'https://app.example',
                  JWT_PRIVATE_JWK: JSON.stringify(signingJwk),
                  OIDC_RSA_PRIVATE_JWK: JSON.stringify(await generateRsaSigningJwk()),
                  DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
                  TEST_MIGRATIONS: migrations,
                },
                // The static-data Worker (wrangler.assets.toml) that wrangler.toml's ASSETS binding
                // names: public/ served by the same assets layer as under `wrangler dev`.
                workers: [
                  {
                    name: 'latchkey-assets',
                    compatibilityDate: '2026-11-01',
                    modules: true,
                    script: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) };',
                    assets: { directory: './public', binding: 'ASSETS' },
                  },
                ],
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
            setupFiles: ['./test/setup/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'node',
            include: ['test-node/**/*.test.ts'],
            environment: 'node',
          },
        },
      ],
    },
  };
});
