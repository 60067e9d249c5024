#!/usr/bin/env node
// Layers import downward only (shared/STYLE.md, "Ports and layers"). This prints the import graph
// between the folders under src/ and fails when an import crosses a layer the wrong way:
// pages and http never import each other, web imports neither, core imports only core; and when
// files import each other in a circle (type imports included).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const src = join(root, 'src');

/** Folders that must not import the listed folders (paths relative to src/). */
const forbidden = {
  pages: ['http'],
  http: ['pages'],
  web: ['http', 'pages', 'dev'],
};

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield path;
  }
}

/** The top folder under src/ a file belongs to; files directly in src/ are "(root)". */
function folderOf(file) {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0] : '(root)';
}

/** The file an import names, trying the extensions and index files TypeScript would. */
function resolveSource(target) {
  for (const candidate of [
    target,
    ...['.ts', '.tsx', '.mts', '.js', '.mjs'].flatMap((ext) => [target + ext, join(target, `index${ext}`)]),
  ]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const graph = new Map();
const violations = [];
/** File-level imports (type imports too), for finding import circles. */
const fileImports = new Map();

for (const file of sourceFiles(src)) {
  const from = folderOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2];
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier);
    if (!target.startsWith(src + sep)) continue; // package.json and the like
    const targetFile = resolveSource(target);
    if (targetFile) fileImports.set(file, [...(fileImports.get(file) ?? []), targetFile]);
    const to = folderOf(target);
    if (to === from) continue;
    const edges = graph.get(from) ?? new Map();
    edges.set(to, (edges.get(to) ?? 0) + 1);
    graph.set(from, edges);
    const wrong = from === 'core' || (forbidden[from] ?? []).includes(to);
    if (wrong) violations.push(`${relative(root, file)} imports ${specifier} (${from} -> ${to})`);
  }
}

console.log('folder import graph (folder -> folders it imports, with import counts):');
for (const from of [...graph.keys()].sort()) {
  const edges = [...graph.get(from)].sort(([a], [b]) => a.localeCompare(b));
  console.log(`  ${from} -> ${edges.map(([to, n]) => `${to} (${n})`).join(', ')}`);
}

// Import circles between files, type imports included: a circle means two modules that cannot be
// understood (or tested) one without the other, so a shared part belongs in a module of its own.
const circles = [];
const state = new Map(); // file -> 'open' while on the path, 'done' once explored
function visit(file, path) {
  state.set(file, 'open');
  for (const next of fileImports.get(file) ?? []) {
    if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next]);
    else if (!state.has(next)) visit(next, [...path, next]);
  }
  state.set(file, 'done');
}
for (const file of [...fileImports.keys()].sort()) if (!state.has(file)) visit(file, [file]);
for (const circle of circles) {
  violations.push(`import circle: ${circle.map((file) => relative(src, file)).join(' -> ')}`);
}

if (violations.length > 0) {
  console.error(`\n${violations.length} import(s) against the layers:`);
  for (const line of violations) console.error(`  ${line}`);
  process.exit(1);
}
console.log('\nlayers: ok');
