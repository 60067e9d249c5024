// EmailSignInStore in memory, with the D1 store's rules: one pending mail per address, taken once,
// its code's tries counted before each check; each call decides in one synchronous step.
import type { EmailSignInStore } from '../../core/email-sign-in/email-sign-in-store';
import type { MemoryTables } from './tables';

export function createMemoryEmailSignInStore(tables: MemoryTables): EmailSignInStore {
  return {
    async save(pending) {
      tables.emailSignIns.set(pending.email, { ...pending, codeAttempts: 0 });
    },

    async takeByToken(tokenDigest, now) {
      for (const [email, row] of tables.emailSignIns) {
        if (row.tokenDigest !== tokenDigest || row.expiresAt <= now) continue;
        tables.emailSignIns.delete(email);
        const { codeAttempts: _attempts, ...pending } = row;
        return pending;
      }
      return null;
    },

    async reserveCodeAttempt(email, now, maxAttempts) {
      const row = tables.emailSignIns.get(email);
      if (!row || row.expiresAt <= now || row.codeAttempts >= maxAttempts) return null;
      row.codeAttempts += 1;
      const { codeAttempts: _attempts, ...pending } = row;
      return pending;
    },
  };
}
