// `npm run dev`: local Latchkey in one command. Writes .dev.vars with fresh development keys when
// it is missing (or lacks a setting), applies the local D1 migrations, then starts `wrangler dev`
// on port 8787 with the static-data Worker (wrangler.assets.toml) beside it, bound as ASSETS. Extra
// arguments pass through: `npm run dev -- --port 9000 --ip 0.0.0.0`.
// `--persist-to DIR` also goes to the migrations step, so both use the same local database.
import { spawn, spawnSync } from 'node:child_process';
import { ensureDevVars } from './dev-vars.mjs';

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const wrangler = process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler';

await ensureDevVars();

const args = process.argv.slice(2);

/** The `--persist-to DIR` or `--persist-to=DIR` arguments, as given. */
function persistArgs(list) {
  const index = list.findIndex((arg) => arg === '--persist-to' || arg.startsWith('--persist-to='));
  if (index === -1) return [];
  return list[index].includes('=') ? [list[index]] : list.slice(index, index + 2);
}

const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', ...persistArgs(args)], {
  stdio: 'inherit',
  env,
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const portGiven = args.some((arg) => arg === '--port' || arg.startsWith('--port='));
// Latchkey first (it is the one served on the port), then the Worker its ASSETS binding names.
const configs = ['-c', 'wrangler.toml', '-c', 'wrangler.assets.toml'];
const dev = spawn(wrangler, ['dev', ...configs, ...(portGiven ? [] : ['--port', '8787']), ...args], {
  stdio: 'inherit',
  env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
