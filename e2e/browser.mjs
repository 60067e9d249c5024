// Debian's Chromium driven by playwright-core: no browser download, no sandbox (CI containers
// run as root), no background traffic to Google.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const ARTIFACTS = 'test-artifacts';
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
};

export function launchBrowser() {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The page's axe-core violations, as one line each. axe is evaluated over the DevTools protocol,
 * which the pages' CSP (no script at all) does not govern, so the page is audited under its own
 * headers rather than a context that bypasses them.
 */
async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
        .map((node) => node.target.join(' '))
        .join(', ')}`,
  );
}

/**
 * Checks the page at both viewport sizes: saved as test-artifacts/<name>-phone.png and
 * -desktop.png, rendered in standards mode, and without any axe-core violation.
 */
export async function checkBoth(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  assert.equal(await page.evaluate(() => document.compatMode), 'CSS1Compat', `${name} renders in quirks mode`);
  const original = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${label}.png`, fullPage: true });
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${name} (${label})`);
  }
  if (original) await page.setViewportSize(original);
}
