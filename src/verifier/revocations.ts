// The optional revocation check: markers Latchkey writes to KV when sessions end
// (src/core/sessions/revocations.ts). Read only after the signature holds, so forged tokens cost no reads.
import { sessionRevocationKey, userRevocationKey } from '../core/sessions/revocations';
import { LatchkeyUnavailableError } from './key-set';

/** What the check reads: a KV namespace binding fits (`env.LATCHKEY_REVOCATIONS`). */
export interface RevocationReader {
  get(key: string): Promise<string | null>;
}

export async function isRevoked(
  reader: RevocationReader,
  token: { userId: string; sessionId: string; issuedAt: number },
): Promise<boolean> {
  let sessionEnded: string | null;
  let notBefore: string | null;
  try {
    [sessionEnded, notBefore] = await Promise.all([
      reader.get(sessionRevocationKey(token.sessionId)),
      reader.get(userRevocationKey(token.userId)),
    ]);
  } catch (cause) {
    // Failing closed with a 503: accepting would ignore revocations exactly when asked to check.
    throw new LatchkeyUnavailableError('the revocation markers could not be read', { cause });
  }
  if (sessionEnded !== null) return true;
  // Written as epoch seconds; anything unreadable refuses rather than accepts.
  return notBefore !== null && !(token.issuedAt >= Number(notBefore));
}
