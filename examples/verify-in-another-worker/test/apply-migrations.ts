// Latchkey's database is the auxiliary Worker's; it is reachable here under the same id.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

await applyD1Migrations(env.LATCHKEY_DB, env.TEST_MIGRATIONS);
