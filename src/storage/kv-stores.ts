// Sessions and mailed tokens in Workers KV. KV's rules shape this file: expirationTtl must be at
// least 60 s, there is no atomic read-and-delete, and writes and deletes can take ~60 s to be
// seen at other locations. The core never relies on KV alone for single use or revocation.
import type { Clock } from '../core/clock';
import type { EmailTokenStore } from '../core/email-tokens';
import type { SessionRecord, SessionStore } from '../core/sessions';

const KV_MIN_TTL_SECONDS = 60;

function ttlUntil(expiresAt: number, now: number): number {
  return Math.max(KV_MIN_TTL_SECONDS, Math.ceil((expiresAt - now) / 1000));
}

export function createKvSessionStore(kv: KVNamespace, clock: Clock): SessionStore {
  const key = (id: string) => `session:${id}`;
  return {
    get: (id) => kv.get<SessionRecord>(key(id), 'json'),
    put: (record) =>
      kv.put(key(record.id), JSON.stringify(record), { expirationTtl: ttlUntil(record.expiresAt, clock.now()) }),
    delete: (id) => kv.delete(key(id)),
  };
}

export function createKvEmailTokenStore(kv: KVNamespace, clock: Clock): EmailTokenStore {
  const key = (purpose: string, digest: string) => `email-token:${purpose}:${digest}`;
  return {
    get: (purpose, digest) => kv.get(key(purpose, digest), 'json'),
    put: (digest, record, retainUntil) =>
      kv.put(key(record.purpose, digest), JSON.stringify(record), {
        expirationTtl: ttlUntil(retainUntil, clock.now()),
      }),
    delete: (purpose, digest) => kv.delete(key(purpose, digest)),
  };
}
