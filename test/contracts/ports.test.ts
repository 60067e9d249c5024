// Every port's contract suite against its memory implementation (what the core's tests run on)
// and its D1/KV implementation on the real local bindings: a memory store that drifts from D1
// fails here, not in production.
import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory';
import { contracts } from './contracts';
import { d1Storage, emptyTables } from './d1-storage';
import type { OpenStorage } from './suite';

const openMemory: OpenStorage = async (clock) => {
  const memory = createMemoryStorage(clock);
  return {
    ...memory,
    revocationMarkers: {
      sessionEndedAt: async (sessionId) => memory.revocations.endedSessions.get(sessionId) ?? null,
      allSessionsEndedAt: async (userId) => memory.revocations.usersEnded.get(userId) ?? null,
    },
  };
};

// One database for the whole file (tests in a file run one after another): emptied for each
// behaviour. KV is not emptied; its behaviours use keys of their own.
const openD1: OpenStorage = async (clock) => {
  await emptyTables(env.DB);
  return d1Storage(env.DB, env.KV, clock);
};

for (const [implementation, open] of [
  ['memory', openMemory],
  ['D1', openD1],
] as const) {
  for (const [port, contract] of contracts) {
    describe(`${port} on ${implementation}`, () => contract({ describe, it }, open));
  }
}
