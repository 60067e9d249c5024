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

// KV's list() is eventually consistent and cannot filter by user, so each user has an index key
// `user-sessions:<userId>` holding their session ids (newest last). It is only added to here
// (on the first put of a session) and pruned by whoever reads it; a stale id is harmless because
// readers fetch each session. KV has no atomic update: two logins at the same instant can lose one
// id from the index, which hides that session from the list (it still ends on logout, expiry or a
// password change, which bumps the epoch).
const MAX_INDEXED_SESSIONS = 100;
// A refresh extends a session; the index's own expiry follows at most this far behind, so a
// refresh rewrites the index about once a day instead of on every call.
const INDEX_EXTEND_SLACK_MS = 24 * 60 * 60 * 1000;

interface IndexMetadata {
  expiresAt: number;
}

export function createKvSessionStore(kv: KVNamespace, clock: Clock): SessionStore {
  const key = (id: string) => `session:${id}`;
  const indexKey = (userId: string) => `user-sessions:${userId}`;
  const readIndex = async (userId: string) => {
    const { value, metadata } = await kv.getWithMetadata<string[], IndexMetadata>(indexKey(userId), 'json');
    return { ids: value ?? [], expiresAt: metadata?.expiresAt ?? 0 };
  };
  return {
    get: (id) => kv.get<SessionRecord>(key(id), 'json'),
    async put(record) {
      const now = clock.now();
      await kv.put(key(record.id), JSON.stringify(record), { expirationTtl: ttlUntil(record.expiresAt, now) });
      const index = await readIndex(record.userId);
      const known = index.ids.includes(record.id);
      if (known && index.expiresAt + INDEX_EXTEND_SLACK_MS >= record.expiresAt) return;
      const ids = (known ? index.ids : [...index.ids, record.id]).slice(-MAX_INDEXED_SESSIONS);
      const expiresAt = Math.max(index.expiresAt, record.expiresAt);
      await kv.put(indexKey(record.userId), JSON.stringify(ids), {
        expirationTtl: ttlUntil(expiresAt, now),
        metadata: { expiresAt } satisfies IndexMetadata,
      });
    },
    delete: (id) => kv.delete(key(id)),
    listIdsForUser: async (userId) => (await readIndex(userId)).ids,
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
