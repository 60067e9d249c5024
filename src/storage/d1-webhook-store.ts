// WebhookStore on D1. Attempt outcomes are one conditional UPDATE each, so
// parallel consumers agree on when an endpoint started failing and when it is paused.
import type { EventType } from '../core/events/catalogue';
import type { WebhookEndpoint, WebhookStore } from '../core/events/event-store';

export interface EndpointRow {
  id: string;
  url: string;
  events: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  failing_since: number | null;
  paused_at: number | null;
}

export function endpointOfRow(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as EventType[],
    secretCiphertext: row.secret_ciphertext,
    previousSecretCiphertext: row.previous_secret_ciphertext,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    failingSince: row.failing_since,
    pausedAt: row.paused_at,
  };
}

export function createD1WebhookStore(d1: D1Database): WebhookStore {
  return {
    async add(endpoint) {
      await d1
        .prepare(
          `insert into webhook_endpoints (id, url, events, secret_ciphertext, previous_secret_ciphertext,
             previous_secret_expires_at, created_at, failing_since, paused_at)
           values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
        )
        .bind(
          endpoint.id,
          endpoint.url,
          JSON.stringify(endpoint.events),
          endpoint.secretCiphertext,
          endpoint.previousSecretCiphertext,
          endpoint.previousSecretExpiresAt,
          endpoint.createdAt,
          endpoint.failingSince,
          endpoint.pausedAt,
        )
        .run();
    },
    async list() {
      const { results } = await d1
        .prepare('select * from webhook_endpoints order by created_at, id')
        .all<EndpointRow>();
      return results.map(endpointOfRow);
    },
    async find(id) {
      const row = await d1.prepare('select * from webhook_endpoints where id = ?1').bind(id).first<EndpointRow>();
      return row && endpointOfRow(row);
    },
    async remove(id) {
      const result = await d1.prepare('delete from webhook_endpoints where id = ?1').bind(id).run();
      return result.meta.changes === 1;
    },
    async rotateSecret(id, secretCiphertext, previousExpiresAt) {
      const result = await d1
        .prepare(
          `update webhook_endpoints set previous_secret_ciphertext = secret_ciphertext,
             previous_secret_expires_at = ?3, secret_ciphertext = ?2 where id = ?1`,
        )
        .bind(id, secretCiphertext, previousExpiresAt)
        .run();
      return result.meta.changes === 1;
    },
    async recordAttempt(id, { ok, now, pauseIfFailingSince }) {
      const statement = ok
        ? d1.prepare('update webhook_endpoints set failing_since = null where id = ?1').bind(id)
        : d1
            .prepare(
              `update webhook_endpoints set failing_since = coalesce(failing_since, ?2),
                 paused_at = case when paused_at is null and failing_since <= ?3 then ?2 else paused_at end
               where id = ?1`,
            )
            .bind(id, now, pauseIfFailingSince);
      await statement.run();
    },
    async resume(id) {
      const result = await d1
        .prepare('update webhook_endpoints set paused_at = null, failing_since = null where id = ?1')
        .bind(id)
        .run();
      return result.meta.changes === 1;
    },
  };
}
