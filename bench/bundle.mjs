// Bundle size and start-up cost, from the same build `wrangler deploy` uploads. Also checks
// bundle hygiene: no Node polyfills (the worker has no nodejs_compat) and what each package
// contributes, and prices a switch to zod/mini with two equivalent probes.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const wrangler = process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler';
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const kib = (bytes) => bytes / 1024;

// Packages that only exist to imitate Node built-ins in other runtimes.
const polyfillPackages =
  /node_modules\/(buffer|process|events|util|path-browserify|stream-browserify|crypto-browserify|browserify-\w+|readable-stream|unenv|@cloudflare\/unenv-preset)\//;

function packageOf(input) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1] : input.startsWith('src/') ? '(latchkey src)' : input;
}

/** Builds with `wrangler deploy --dry-run` (and the config's own minify setting) and measures it. */
export function measureWorker(configPath, outDir) {
  const metafile = join(outDir, 'meta.json');
  const result = spawnSync(
    wrangler,
    ['deploy', '--dry-run', '-c', configPath, '--outdir', outDir, '--metafile', metafile],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run -c ${configPath} failed:\n${result.stderr}`);
  const script = readdirSync(outDir).find((name) => name.endsWith('.js'));
  const code = readFileSync(join(outDir, script));
  const wranglerLine = /Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB/.exec(result.stdout)?.[0] ?? null;
  const startupLine = /Worker Startup Time: \d+ ms/.exec(result.stdout)?.[0] ?? null;

  const meta = JSON.parse(readFileSync(metafile, 'utf8'));
  const output = Object.values(meta.outputs).find((entry) => entry.entryPoint);
  const byPackage = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
  }
  const inputs = Object.keys(output.inputs);
  const text = code.toString('utf8');
  return {
    rawBytes: code.length,
    gzipBytes: gzipSync(code).length,
    wranglerLine,
    startupLine,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
    polyfills: inputs.filter((input) => polyfillPackages.test(input)),
    nodeImports: [...new Set(text.match(/(?:from\s*|require\()\s*["']node:[\w/]+["']/g) ?? [])],
    zodLocales: inputs.filter((input) => input.includes('zod/v4/locales/') && !input.endsWith('/en.js')).length,
    joseModules: inputs
      .filter((input) => input.includes('node_modules/jose/'))
      .map((input) => input.replace(/.*node_modules\/jose\/dist\//, '')),
  };
}

/** The same schemas in zod and in zod/mini, bundled and gzipped both plain and minified. */
export async function priceZodMini() {
  const sizes = {};
  for (const flavour of ['classic', 'mini']) {
    for (const minify of [false, true]) {
      const result = await build({
        entryPoints: [new URL(`./zod-probe/${flavour}.ts`, import.meta.url).pathname],
        bundle: true,
        format: 'esm',
        write: false,
        minify,
      });
      sizes[`${flavour}${minify ? 'Minified' : ''}GzipBytes`] = gzipSync(result.outputFiles[0].contents).length;
    }
  }
  return sizes;
}

/**
 * Start-up CPU from `wrangler check startup`: a V8 CPU profile of the global scope in local
 * workerd. `deploy --dry-run` cannot print "Worker Startup Time" (Cloudflare measures it on
 * upload). The profile samples coarsely (~1 ms), so take the median of a few runs.
 */
export function measureStartup(configPath, outDir, runs = 3) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const outfile = join(outDir, `startup-${run}.cpuprofile`);
    const result = spawnSync(wrangler, ['check', 'startup', '-c', configPath, '--outfile', outfile], {
      env,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`wrangler check startup -c ${configPath} failed:\n${result.stderr}`);
    const profile = JSON.parse(readFileSync(outfile, 'utf8'));
    const idle = new Set(
      profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id),
    );
    let busyUs = 0;
    profile.samples.forEach((id, index) => {
      if (!idle.has(id)) busyUs += profile.timeDeltas[index];
    });
    samples.push({ busyMs: busyUs / 1000, spanMs: (profile.endTime - profile.startTime) / 1000 });
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { busyMs: median(samples.map((s) => s.busyMs)), spanMs: median(samples.map((s) => s.spanMs)), runs };
}

export { kib };
