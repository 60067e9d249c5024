// `npm run dev:deno`: Latchkey on Deno in development mode, in one command. Uses the same .dev.vars
// as `npm run dev` (written with fresh development keys when missing), keeps its SQLite database
// and Deno KV under .deno/ (or `--persist-to DIR`), applies the migrations at start, and serves on
// port 8788 (`-- --port N` to choose). Deno itself comes from the `deno` npm package.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ensureDevVars, readDevVars } from './dev-vars.mjs';

/** The value of `--name VALUE` or `--name=VALUE`, if given. */
function option(args, name) {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index === -1) return undefined;
  return args[index].includes('=') ? args[index].slice(name.length + 3) : args[index + 1];
}

await ensureDevVars();
const args = process.argv.slice(2);
const port = option(args, 'port') ?? '8788';
const host = option(args, 'ip') ?? 'localhost';
const stateDir = option(args, 'persist-to') ?? '.deno';
mkdirSync(stateDir, { recursive: true });

const settings = {
  ...readDevVars(),
  DATABASE_PATH: `${stateDir}/latchkey.sqlite`,
  KV_PATH: `${stateDir}/kv.sqlite`,
  // As under `wrangler dev`, a development client may name its own address (the behaviour tests
  // give each test one, so per-client limits do not leak between tests).
  TRUSTED_CLIENT_IP_HEADER: 'cf-connecting-ip',
};
// The binary of the `deno` npm package, for the platform npm installed.
const deno = createRequire(import.meta.url).resolve('deno/bin.cjs');
const child = spawn(
  process.execPath,
  [
    deno,
    'serve',
    `--port=${port}`,
    `--host=${host}`,
    '--allow-net',
    `--allow-read=.,${stateDir}`,
    `--allow-write=${stateDir}`,
    `--allow-env`,
    'deno/main.ts',
  ],
  { stdio: 'inherit', env: { ...process.env, ...settings } },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
