// Mailed tokens in Workers KV. KV's rules shape this file: expirationTtl must be at least 60 s,
// there is no atomic read-and-delete, and writes and deletes can take ~60 s to be seen at other
// locations. The flows never rely on KV alone for single use (see src/core/accounts/email-tokens.ts).
import type { Clock } from '../core/kit/clock';
import type { EmailTokenRecord, EmailTokenStore } from '../core/accounts/email-tokens';

const KV_MIN_TTL_SECONDS = 60;

export function createKvEmailTokenStore(kv: KVNamespace, clock: Clock): EmailTokenStore {
  const key = (purpose: string, digest: string) => `email-token:${purpose}:${digest}`;
  return {
    async get(purpose, digest) {
      const record = await kv.get<EmailTokenRecord & { passwordVersion?: number }>(key(purpose, digest), 'json');
      // Reset links mailed before the credential version was named so carry `passwordVersion`;
      // read for one release, while such links (10 minutes) can still be in flight.
      if (record && record.credentialVersion === undefined && record.passwordVersion !== undefined) {
        const { passwordVersion, ...rest } = record;
        return { ...rest, credentialVersion: passwordVersion };
      }
      return record;
    },
    put: (digest, record, retainUntil) =>
      kv.put(key(record.purpose, digest), JSON.stringify(record), {
        expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil((retainUntil - clock.now()) / 1000)),
      }),
    delete: (purpose, digest) => kv.delete(key(purpose, digest)),
  };
}
