import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../src/storage/readiness';
import { d1Error, faultyD1, faultyKv } from './support/faults';

describe('readiness', () => {
  it('reports both dependencies ok against the real bindings', async () => {
    expect(await checkReadiness({ db: env.DB, kv: env.KV })).toEqual({ d1: 'ok', kv: 'ok' });
  });

  it('reports D1 down when its read fails, and KV still ok', async () => {
    const { db } = faultyD1(env.DB, [
      { error: () => d1Error('Cannot resolve D1 DB due to transient issue on remote node.') },
    ]);
    expect(await checkReadiness({ db, kv: env.KV })).toEqual({ d1: 'down', kv: 'ok' });
  });

  it('reports KV down when its read fails, and D1 still ok', async () => {
    const { kv } = faultyKv(env.KV, [{ operation: 'get' }]);
    expect(await checkReadiness({ db: env.DB, kv })).toEqual({ d1: 'ok', kv: 'down' });
  });

  it('reports a hung dependency down once the timeout passes, without waiting for it', async () => {
    const { db } = faultyD1(env.DB, [{ delayMs: 400 }]);
    const started = Date.now();
    expect(await checkReadiness({ db, kv: env.KV }, { timeoutMs: 50 })).toEqual({ d1: 'down', kv: 'ok' });
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('reports a binding that throws synchronously as down', async () => {
    const broken = {
      prepare() {
        throw new Error('D1_ERROR: no such binding');
      },
    } as unknown as D1Database;
    expect(await checkReadiness({ db: broken, kv: env.KV })).toEqual({ d1: 'down', kv: 'ok' });
  });

  it('makes one read per dependency', async () => {
    const d1 = faultyD1(env.DB);
    const kv = faultyKv(env.KV);
    await checkReadiness({ db: d1.db, kv: kv.kv });
    expect(d1.calls).toEqual([{ operation: 'first', sql: ['select 1'] }]);
    expect(kv.calls).toEqual([{ operation: 'get', key: 'readiness:probe' }]);
  });
});
