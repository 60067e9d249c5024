// The ASSETS binding on Deno: the public/ folder, as the Worker's static assets.
import type {} from '@cloudflare/workers-types/index.ts';
import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { createStaticAssets } from '../assets.ts';

const assets = createStaticAssets(new URL('../../public/', import.meta.url));

Deno.test('serves the common-password list from public/ as JSON', async () => {
  const response = await assets.fetch(new Request('https://assets.local/common-passwords.json'));
  assertEquals(response.status, 200);
  assertEquals(response.headers.get('content-type'), 'application/json');
  const set = (await response.json()) as { format: number; count: number };
  assertEquals([set.format, set.count], [1, 10000]);
});

Deno.test('answers 404 for a missing file and for a path that would leave the folder', async () => {
  assertEquals((await assets.fetch(new Request('https://assets.local/missing.json'))).status, 404);
  assertEquals((await assets.fetch(new Request('https://assets.local/%2e%2e/package.json'))).status, 404);
  assertEquals((await assets.fetch(new Request('https://assets.local/..%2fpackage.json'))).status, 404);
});
