// LoginStore on D1: the two round trips of a login. The first reserves the attempt on the
// counters and finds the account, in one batch (one transaction); the second starts the session
// and clears the counters, conditional on the credential version the check saw and on the account
// being enabled: a disable that commits during any sign-in leaves that sign-in with no session.
import { ACCOUNT_COUNTER_PREFIX } from '../core/passwords/login-throttle';
import type { AttemptLimits, LoginAttempt, LoginStore, Reservation } from '../core/passwords/login-store';
import type { UserLookupKey } from '../core/accounts/users';
import type { UserWithCredential } from '../core/accounts/users';
import { type UserSqlRow, userOfRow, userSqlColumns } from './user-columns';
import { outboxStatements, storedEventOf } from './d1-event-outbox';

interface AccountRow extends UserSqlRow {
  password_hash: string;
  credential_version: number;
  totp_enabled: number;
}

interface CounterRow {
  count: number;
  blocked_until: number | null;
}

// One upsert reserves an attempt and answers it. While the key is locked, attempts are counted
// (so they stay over the limit) and refused; once a lock ends, or the window passes, counting
// starts again at 1; the attempt that reaches the limit locks the key for `lockout` and is itself
// still granted. Parameters: ?1 key (or the SELECT's), ?2 now, ?3 window, ?4 limit, ?5 lockout.
const reserveUpdate = `
  on conflict (key) do update set
    count = case
      when blocked_until > ?2 then count + 1
      when window_started_at <= ?2 - ?3 or blocked_until <= ?2 then 1
      else count + 1 end,
    window_started_at = case
      when blocked_until > ?2 then window_started_at
      when window_started_at <= ?2 - ?3 or blocked_until <= ?2 then ?2
      else window_started_at end,
    blocked_until = case
      when blocked_until > ?2 then blocked_until
      when window_started_at <= ?2 - ?3 or blocked_until <= ?2 then (case when 1 >= ?4 then ?2 + ?5 end)
      when count + 1 >= ?4 then ?2 + ?5
      else null end
  returning count, blocked_until`;

const firstAttempt = 'case when 1 >= ?4 then ?2 + ?5 end';

function reservationOf(row: CounterRow | undefined, maxAttempts: number): Reservation | null {
  if (!row) return null;
  return { granted: row.count <= maxAttempts, count: row.count, blockedUntil: row.blocked_until };
}

export function createD1LoginStore(d1: D1Database): LoginStore {
  async function reserve(
    lookup: UserLookupKey,
    identifierKey: string | null,
    limits: AttemptLimits,
    now: number,
  ): Promise<LoginAttempt> {
    const match = 'email' in lookup ? 'lower(u.email) = lower(?6)' : 'lower(u.username) = lower(?6)';
    const value = 'email' in lookup ? lookup.email : lookup.username;
    const common = [now, limits.windowMs, limits.maxAttempts, limits.lockoutMs] as const;
    const identifier = identifierKey
      ? d1
          .prepare(
            `insert into throttle_counters (key, count, window_started_at, blocked_until)
               values (?1, 1, ?2, ${firstAttempt}) ${reserveUpdate}`,
          )
          .bind(identifierKey, ...common)
      : null;
    // The account's counter moves only when the identifier's granted the attempt, so refused
    // requests cannot spend the account's checks. The WHERE also keeps SQLite from reading
    // ON CONFLICT as a join constraint.
    const account = d1
      .prepare(
        `insert into throttle_counters (key, count, window_started_at, blocked_until)
           select ?1 || u.id, 1, ?2, ${firstAttempt} from users u
           where ${match} and coalesce((select count from throttle_counters where key = ?7), 0) <= ?4
           ${reserveUpdate}`,
      )
      .bind(ACCOUNT_COUNTER_PREFIX, ...common, value, identifierKey);
    const user = d1
      .prepare(
        `select ${userSqlColumns('u', 'p')}, a.password_hash, a.credential_version,
                  exists (select 1 from totp_factors t where t.user_id = u.id and t.enabled_at is not null)
                    as totp_enabled
           from users u
           join accounts a on a.user_id = u.id
           left join profiles p on p.user_id = u.id
           where ${match.replace('?6', '?1')}`,
      )
      .bind(value);
    const results = await d1.batch(identifier ? [identifier, account, user] : [account, user]);
    const [identifierRows, accountRows, userRows] = identifier ? results : [null, ...results];
    const row = (userRows!.results as AccountRow[])[0];
    const found: UserWithCredential | null = row
      ? {
          user: userOfRow(row),
          credential: {
            userId: row.user_id,
            passwordHash: row.password_hash,
            credentialVersion: row.credential_version,
          },
        }
      : null;
    return {
      found,
      identifier: identifierRows
        ? reservationOf((identifierRows.results as CounterRow[])[0], limits.maxAttempts)
        : null,
      account: reservationOf((accountRows!.results as CounterRow[])[0], limits.maxAttempts),
      // Read in the lookup itself, so a login without TOTP makes no extra round trip.
      totpEnabled: row?.totp_enabled === 1,
    };
  }

  return {
    reserveLoginAttempt: reserve,
    reserveAccountAttempt: (lookup, limits, now) => reserve(lookup, null, limits, now),

    async completeLogin(session, refreshDigest, counterKeys, event) {
      const results = await d1.batch([
        // Expired sessions of the user are dropped as new ones start, so rows do not pile up.
        d1
          .prepare('delete from sessions where user_id = ?1 and expires_at < ?2')
          .bind(session.userId, session.createdAt),
        d1
          .prepare(
            `insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at, credential_version, amr)
             select ?1, a.user_id, ?2, ?3, ?4, ?5, a.credential_version, ?8 from accounts a
             join users u on u.id = a.user_id
             where a.user_id = ?6 and a.credential_version = ?7 and u.disabled_at is null
             returning id`,
          )
          .bind(
            session.id,
            session.userAgent,
            session.createdAt,
            session.lastUsedAt,
            session.expiresAt,
            session.userId,
            session.credentialVersion,
            session.amr.join(' '),
          ),
        // Right after the session's insert (index 2): recorded only when the session was.
        ...(event ? outboxStatements(d1, event, 'if-changed') : []),
        d1
          .prepare(
            'insert into refresh_tokens (digest, session_id, created_at) select ?1, id, ?2 from sessions where id = ?3',
          )
          .bind(refreshDigest, session.createdAt, session.id),
        d1
          .prepare(
            `delete from throttle_counters where key in (select value from json_each(?1))
             and exists (select 1 from sessions where id = ?2)`,
          )
          .bind(JSON.stringify(counterKeys), session.id),
      ]);
      const inserted = results[1]!;
      if (inserted.results.length !== 1) return { started: false };
      if (!event) return { started: true, event: null };
      // A statement without `returning` (an event without a device) leaves the dispatch to a read.
      return { started: true, event: storedEventOf(event, results[2]) ?? { event, awaitsDispatch: true } };
    },
  };
}
