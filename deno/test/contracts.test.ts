// Every port's contract suite (test/contracts) on Deno: the D1 storage modules on SQLite and on
// libSQL through the D1 facade, the KV ones on Deno KV, each behaviour on a fresh database. The
// suites register with `describe` and `it`; here each behaviour becomes one Deno.test.
import type {} from '@cloudflare/workers-types/index.ts';
import { createD1Facade } from '../d1-facade.ts';
import { createKvNamespace } from '../kv-namespace.ts';
import { openLibsqlEngine } from '../libsql-engine.ts';
import { applyMigrations } from '../migrations.ts';
import type { SqlEngine } from '../sql-engine.ts';
import { openSqliteEngine } from '../sqlite-engine.ts';
import { contracts } from '../../test/contracts/contracts.ts';
import { d1Storage } from '../../test/contracts/d1-storage.ts';
import type { Contract, OpenStorage } from '../../test/contracts/suite.ts';
import { migrationsDir } from './support.ts';

/** The behaviours a suite registers, each named with the describe blocks around it. */
function behavioursOf(contract: Contract, open: OpenStorage): Array<[name: string, run: () => Promise<void>]> {
  const behaviours: Array<[string, () => Promise<void>]> = [];
  const path: string[] = [];
  contract(
    {
      describe(name, body) {
        path.push(name);
        body();
        path.pop();
      },
      it(name, run) {
        behaviours.push([[...path, name].join(' > '), run]);
      },
    },
    open,
  );
  return behaviours;
}

const engines: Array<[name: string, open: (dir: string) => Promise<SqlEngine>]> = [
  ['SQLite', async (dir) => openSqliteEngine(`${dir}/latchkey.sqlite`)],
  ['libSQL', (dir) => openLibsqlEngine(`file:${dir}/latchkey.db`, undefined)],
];

// Deno runs tests one at a time: the behaviour running is the one whose database `open` returns.
let current: { d1: D1Database; kv: Deno.Kv } | null = null;
const open: OpenStorage = async (clock) => d1Storage(current!.d1, createKvNamespace(current!.kv, 'KV'), clock);

for (const [engineName, openEngine] of engines) {
  for (const [port, contract] of contracts) {
    for (const [name, run] of behavioursOf(contract, open)) {
      Deno.test(`${port} on ${engineName}: ${name}`, async () => {
        const dir = await Deno.makeTempDir({ prefix: 'latchkey-contract-' });
        const engine = await openEngine(dir);
        const kv = await Deno.openKv(':memory:');
        try {
          await applyMigrations(engine, migrationsDir);
          current = { d1: createD1Facade(engine), kv };
          await run();
        } finally {
          current = null;
          kv.close();
          engine.close();
          await Deno.remove(dir, { recursive: true });
        }
      });
    }
  }
}
