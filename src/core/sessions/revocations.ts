// The edge view of ended sessions. D1 stays the authority on sessions; this port lets Latchkey
// tell Workers that verify access tokens on their own (src/verifier) that a session ended before
// its tokens expire. Markers are written only when sessions end, never per sign-in or refresh:
// KV writes cost about ten times D1's and allow one write per second per key.

/** Marks one ended session: its tokens are refused while the marker lives. */
export function sessionRevocationKey(sessionId: string): string {
  return `revoked:session:${sessionId}`;
}

/** Holds a user's "not before" time (epoch seconds): tokens issued earlier are refused. */
export function userRevocationKey(userId: string): string {
  return `revoked:user:${userId}`;
}

/**
 * How long a marker must live: until the last token it refuses has expired. KV refuses TTLs under
 * 60 s; the extra minute covers a token issued in the second of the revocation and clock skew.
 */
export function revocationTtlSeconds(accessTokenTtlSeconds: number): number {
  return Math.max(60, accessTokenTtlSeconds + 60);
}

/**
 * The first `iat` (epoch seconds) still trusted after all of a user's sessions ended at `now`
 * (ms). `iat` has whole-second precision, so a token issued in the same second as the revocation
 * cannot be told from an older one: rounding up refuses it too. A client that signs in again
 * within that second gets a refused token and refreshes; the other way, a stolen token would live.
 */
export function notBeforeSeconds(now: number): number {
  return Math.ceil(now / 1000);
}

/**
 * What the core needs to tell other Workers that sessions ended. Called only after the store has
 * ended them; a failure is logged by `publishRevocation` and never changes the flow's answer.
 */
export interface RevocationPublisher {
  /** One session ended (logout, revoke, refresh-token reuse). `now` in ms since the epoch. */
  sessionEnded(sessionId: string, now: number): Promise<void>;
  /** Every session of the user ended (logout everywhere, reset, password change, deletion). */
  allSessionsEnded(userId: string, now: number): Promise<void>;
}

/** For deployments whose other Workers do not check revocations: nothing is written. */
export const noRevocationPublisher: RevocationPublisher = {
  sessionEnded: async () => {},
  allSessionsEnded: async () => {},
};

/**
 * Publishes that sessions ended, after D1 has ended them. D1 already decided, so a failed KV
 * write is logged and the flow goes on: other Workers then accept the tokens until they expire,
 * as they would with no publisher. Awaited rather than deferred so that a verifier at this
 * location refuses the tokens as soon as the client has its answer (KV reads its own writes there).
 */
export async function publishRevocation(
  services: { revocations: RevocationPublisher; log(event: { event: string } & Record<string, unknown>): void },
  publish: (publisher: RevocationPublisher) => Promise<void>,
): Promise<void> {
  try {
    await publish(services.revocations);
  } catch (error) {
    services.log({ event: 'revocation.publish_failed', error: error instanceof Error ? error.name : 'unknown' });
  }
}
