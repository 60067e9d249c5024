import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '**/.wrangler/', 'dist/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'e2e/**/*.mjs', 'test-http/**/*.mjs', 'examples/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    // Functions passed to playwright's page.evaluate run in the browser page.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Non-null assertions are used where a regex group or a checked index is known present.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The core is plain TypeScript over small ports: no framework, ORM or platform module, so it
    // runs the same under any runtime and is tested with plain function calls.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*'], message: 'src/core must not depend on Hono.' },
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'src/core must not depend on drizzle.' },
            { regex: '^cloudflare:', message: 'src/core must not depend on Cloudflare modules.' },
            {
              // From a capability folder (src/core/<capability>/); `npm run check:layers` resolves
              // every import and holds the same rule for any depth.
              group: ['../../http/*', '../../pages/*', '../../storage/*', '../../mail/*', '../../web/*'],
              message: 'src/core imports only src/core.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
