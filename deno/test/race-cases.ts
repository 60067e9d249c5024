// The single-winner races every SQL engine behind the D1 facade must decide like D1: run by the
// SQLite tests and the libSQL tests alike, each on a fresh migrated database of its engine.
import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import type {} from '@cloudflare/workers-types/index.ts';
import { createD1UserRepository } from '../../src/storage/d1-user-repository.ts';
import { newUser } from './support.ts';

export const raceCases: Array<[name: string, run: (d1: D1Database) => Promise<void>]> = [
  [
    'lets exactly one of ten parallel registrations of one username win',
    async (d1) => {
      const users = createD1UserRepository(d1);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) => users.create(newUser('alice', `alice${n}@example.com`))),
      );
      assertEquals(results.filter((result) => result.ok).length, 1);
      assert(results.every((result) => result.ok || result.conflict === 'username'));
    },
  ],
  [
    'changes the password once for parallel resets with one token (one expected version)',
    async (d1) => {
      const users = createD1UserRepository(d1);
      const input = newUser('dave');
      await users.create(input);
      const hashes = ['one', 'two', 'three', 'four'];
      const changed = await Promise.all(
        hashes.map((hash) =>
          users.replacePassword({
            userId: input.id,
            expectedVersion: 0,
            passwordHash: hash,
            now: Date.now(),
            verifyEmail: true,
          }),
        ),
      );
      assertEquals(changed.filter(Boolean).length, 1);
      const stored = await users.findWithCredential({ email: input.email });
      assertEquals(stored?.user.username, 'dave');
      assertEquals(stored?.credential.credentialVersion, 1);
      assertEquals(stored?.credential.passwordHash, hashes[changed.indexOf(true)]);
    },
  ],
];
