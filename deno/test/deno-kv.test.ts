// Mail tokens, the development mailbox and the per-client limits on Deno KV (a real local file).
import type {} from '@cloudflare/workers-types/index.ts';
import { deepStrictEqual as assertEquals } from 'node:assert/strict';
import { createKvNamespace } from '../kv-namespace.ts';
import { createKvRateLimit } from '../rate-limit.ts';

async function openTestKv() {
  const dir = await Deno.makeTempDir({ prefix: 'latchkey-kv-' });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  return {
    kv,
    async [Symbol.asyncDispose]() {
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test('reads back a JSON value until its expiry, then nothing', async () => {
  await using store = await openTestKv();
  const kv = createKvNamespace(store.kv, 'KV');
  await kv.put('live', JSON.stringify({ purpose: 'reset' }), { expirationTtl: 60 });
  await kv.put('gone', 'x', { expiration: Math.floor(Date.now() / 1000) - 1 });
  assertEquals(await kv.get('live', 'json'), { purpose: 'reset' });
  assertEquals(await kv.get('gone'), null);
  await kv.delete('live');
  assertEquals(await kv.get('live'), null);
});

Deno.test('lists keys by prefix in key order, up to the limit, one namespace apart from another', async () => {
  await using store = await openTestKv();
  const kv = createKvNamespace(store.kv, 'KV');
  const other = createKvNamespace(store.kv, 'REVOCATIONS');
  for (const key of ['mail:3', 'mail:1', 'mail:2', 'other:1']) await kv.put(key, key);
  await other.put('mail:9', 'x');
  const { keys } = await kv.list({ prefix: 'mail:', limit: 2 });
  assertEquals(
    keys.map((key) => key.name),
    ['mail:1', 'mail:2'],
  );
});

Deno.test('allows a client the limit per window, counting parallel requests exactly', async () => {
  await using store = await openTestKv();
  let now = 120_000;
  const limiter = createKvRateLimit(store.kv, 'credentials', { limit: 20, periodSeconds: 60 }, () => now);
  const results = await Promise.all(Array.from({ length: 30 }, () => limiter.limit({ key: 'login:10.0.0.1' })));
  assertEquals(results.filter((result) => result.success).length, 20);
  assertEquals((await limiter.limit({ key: 'login:10.0.0.2' })).success, true);
  now += 60_000;
  assertEquals((await limiter.limit({ key: 'login:10.0.0.1' })).success, true);
});
