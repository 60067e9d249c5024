// RevocationPublisher in memory: records the markers a verifier Worker would read.
import type { RevocationPublisher } from '../../core/sessions/revocations';

export interface MemoryRevocations extends RevocationPublisher {
  endedSessions: Map<string, number>;
  /** The latest time (ms) all of a user's sessions ended. */
  usersEnded: Map<string, number>;
}

export function createMemoryRevocationPublisher(): MemoryRevocations {
  const endedSessions = new Map<string, number>();
  const usersEnded = new Map<string, number>();
  return {
    endedSessions,
    usersEnded,
    sessionEnded: async (sessionId, now) => void endedSessions.set(sessionId, now),
    allSessionsEnded: async (userId, now) => void usersEnded.set(userId, now),
  };
}
