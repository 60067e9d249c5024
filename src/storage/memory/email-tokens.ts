// EmailTokenStore in memory. Like KV it has no conditional delete: single use is the flows' D1
// (here: memory user repository) conditional write, not this store's. Records vanish at `retainUntil`.
import type { Clock } from '../../core/kit/clock';
import type { EmailTokenRecord, EmailTokenStore } from '../../core/accounts/email-tokens';

export function createMemoryEmailTokenStore(clock: Clock): EmailTokenStore {
  const records = new Map<string, { record: EmailTokenRecord; retainUntil: number }>();
  const key = (purpose: string, digest: string) => `${purpose}:${digest}`;
  return {
    async get(purpose, digest) {
      const entry = records.get(key(purpose, digest));
      return entry && entry.retainUntil > clock.now() ? { ...entry.record } : null;
    },
    async put(digest, record, retainUntil) {
      records.set(key(record.purpose, digest), { record: { ...record }, retainUntil });
    },
    async delete(purpose, digest) {
      records.delete(key(purpose, digest));
    },
  };
}
