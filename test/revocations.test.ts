// Latchkey's side of revocation at the edge: markers written to a real local KV namespace, keyed
// as verifiers read them, living just past the access-token lifetime.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  noRevocationPublisher,
  notBeforeSeconds,
  revocationTtlSeconds,
  sessionRevocationKey,
  userRevocationKey,
} from '../src/core/sessions/revocations';
import { createKvRevocationPublisher } from '../src/storage/kv-revocation-publisher';

const ACCESS_TOKEN_TTL_SECONDS = 600;

async function expirationOf(key: string): Promise<number | undefined> {
  const { keys } = await env.KV.list({ prefix: key });
  return keys.find((entry) => entry.name === key)?.expiration;
}

describe('revocation markers', () => {
  const publisher = createKvRevocationPublisher(env.KV, { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });

  it("keeps a marker a minute past the access-token lifetime, and never under KV's 60 s minimum", () => {
    expect(revocationTtlSeconds(600)).toBe(660);
    expect(revocationTtlSeconds(0)).toBe(60);
  });

  it('marks an ended session under revoked:session:<id> until its last token has expired', async () => {
    const sessionId = crypto.randomUUID();
    const now = Date.now();
    await publisher.sessionEnded(sessionId, now);
    expect(sessionRevocationKey(sessionId)).toBe(`revoked:session:${sessionId}`);
    expect(await env.KV.get(sessionRevocationKey(sessionId))).toBe(String(Math.floor(now / 1000)));
    const expiration = (await expirationOf(sessionRevocationKey(sessionId)))!;
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(now / 1000) + ACCESS_TOKEN_TTL_SECONDS + 59);
    expect(expiration).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS + 60);
  });

  it("records a user's not-before time as the next whole second, so tokens of that second are refused", async () => {
    const userId = crypto.randomUUID();
    const now = 1_800_000_000_250;
    await publisher.allSessionsEnded(userId, now);
    expect(userRevocationKey(userId)).toBe(`revoked:user:${userId}`);
    expect(await env.KV.get(userRevocationKey(userId))).toBe('1800000001');
    expect(notBeforeSeconds(1_800_000_000_000)).toBe(1_800_000_000);
    expect(await expirationOf(userRevocationKey(userId))).toBeGreaterThan(Date.now() / 1000);
  });

  it("moves a user's not-before time forward at a later revocation", async () => {
    const userId = crypto.randomUUID();
    await publisher.allSessionsEnded(userId, 1_800_000_000_000);
    await publisher.allSessionsEnded(userId, 1_800_000_100_000);
    expect(await env.KV.get(userRevocationKey(userId))).toBe('1800000100');
  });

  it('writes nothing through the no-op publisher', async () => {
    const sessionId = crypto.randomUUID();
    await noRevocationPublisher.sessionEnded(sessionId, Date.now());
    expect(await env.KV.get(sessionRevocationKey(sessionId))).toBeNull();
  });
});
