// Installs Better Auth for the benchmark on first use (`npm ci` in this folder, from its own
// lockfile; the project's own install never does), and writes the SQL schema its options need,
// as Better Auth's own migration planner compiles it for SQLite.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function installedVersion() {
  const manifest = new URL('./node_modules/better-auth/package.json', import.meta.url);
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : null;
}

/** Runs `npm ci` here unless the pinned version is already installed; returns that version. */
export function ensureBetterAuth() {
  const wanted = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).dependencies[
    'better-auth'
  ];
  if (installedVersion() !== wanted) {
    console.log(`bench: installing better-auth ${wanted} into bench/better-auth (npm ci, first use only)`);
    const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
      cwd: here,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) throw new Error('npm ci in bench/better-auth failed');
  }
  return installedVersion();
}

/** Writes the schema of the served Worker's options to `path`, for `wrangler d1 execute`. */
export async function writeBetterAuthSchema(path) {
  const { getMigrations } = await import('better-auth/db/migration');
  const { betterAuthOptions } = await import('./options.mjs');
  // node:sqlite is unflagged from Node 22.13; the planner needs a database to compare against.
  const { DatabaseSync } = await import('node:sqlite');
  const options = betterAuthOptions({ database: new DatabaseSync(':memory:'), secret: 'x'.repeat(32) });
  const { compileMigrations } = await getMigrations({ ...options, logger: { disabled: true } });
  writeFileSync(path, await compileMigrations());
}
