// Revocation markers in a KV namespace that verifier Workers bind (src/verifier). KV is eventually
// consistent: a marker is seen at once at the location that wrote it and within about a minute
// elsewhere (KV caches reads, including misses, for 60 s). D1 has already ended the session by
// the time a marker is written, so Latchkey itself never depends on it.
import {
  type RevocationPublisher,
  notBeforeSeconds,
  revocationTtlSeconds,
  sessionRevocationKey,
  userRevocationKey,
} from '../core/sessions/revocations';

export function createKvRevocationPublisher(
  kv: KVNamespace,
  options: { accessTokenTtlSeconds: number },
): RevocationPublisher {
  const expirationTtl = revocationTtlSeconds(options.accessTokenTtlSeconds);
  return {
    async sessionEnded(sessionId, now) {
      await kv.put(sessionRevocationKey(sessionId), String(Math.floor(now / 1000)), { expirationTtl });
    },
    // One key per user, rewritten at each revocation: a later time refuses everything an earlier
    // one did, so overwriting loses nothing (KV has no compare-and-set to need).
    async allSessionsEnded(userId, now) {
      await kv.put(userRevocationKey(userId), String(notBeforeSeconds(now)), { expirationTtl });
    },
  };
}
