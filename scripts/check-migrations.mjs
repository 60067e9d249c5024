// Fails when migrations/ does not match src/storage/schema.ts: drizzle-kit generates into a
// scratch copy of migrations/, and any new migration there means one was not committed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';

// drizzle-kit resolves --out relative to the project, so the scratch copy lives inside it.
mkdirSync('node_modules/.cache', { recursive: true });
const scratch = mkdtempSync('node_modules/.cache/latchkey-migrations-');
try {
  cpSync('migrations', scratch, { recursive: true });
  const sqlFiles = (dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.sql'))
      .sort();
  const before = sqlFiles(scratch);
  const result = spawnSync(
    'drizzle-kit',
    ['generate', '--dialect', 'sqlite', '--schema', './src/storage/schema.ts', '--out', scratch],
    { encoding: 'utf8' },
  );
  // drizzle-kit can exit 0 after printing an error, so its output is checked too.
  if (result.status !== 0 || /error/i.test(result.stderr)) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
  const added = sqlFiles(scratch).filter((name) => !before.includes(name));
  if (added.length > 0) {
    console.error(
      `migrations/ is behind src/storage/schema.ts; run \`npm run db:generate\` (would add ${added.join(', ')})`,
    );
    process.exit(1);
  }
  console.log(`migrations/ matches the schema (${before.length} migration(s))`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
