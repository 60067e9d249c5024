// Adds up the test counts of a CI run into one closing line, `ci: N passed, N failed`: vitest's
// JSON reports (the workers and node suites, the example Worker) and node's test runner output
// (the browser tests and the HTTP suite) and `deno test` output (the Deno storage tests).
// Usage: node scripts/ci-summary.mjs REPORT.json... [--node-test LOG]... [--deno-test LOG]...
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--node-test') {
    const log = readFileSync(args[++i], 'utf8');
    passed += Number(/^ℹ pass (\d+)$/m.exec(log)?.[1] ?? 0);
    failed += Number(/^ℹ fail (\d+)$/m.exec(log)?.[1] ?? 0);
  } else if (args[i] === '--deno-test') {
    // `ok | 14 passed | 0 failed (4s)`, written with NO_COLOR=1.
    const log = readFileSync(args[++i], 'utf8');
    const counts = /(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(log);
    passed += Number(counts?.[1] ?? 0);
    failed += Number(counts?.[2] ?? 1);
  } else {
    const report = JSON.parse(readFileSync(args[i], 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
}
console.log(`ci: ${passed} passed, ${failed} failed`);
