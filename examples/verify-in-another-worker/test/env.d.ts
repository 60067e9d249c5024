import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env extends Omit<import('../src/index').Env, never> {
      LATCHKEY: Fetcher;
      LATCHKEY_DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
      TEST_LATCHKEY_PRIVATE_JWK: string;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
  }
}
