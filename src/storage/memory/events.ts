// EventStore and WebhookStore in memory, with the D1 stores' rules. The outbox
// rows are written by the other memory stores (recordEvent in tables.ts) as their changes happen.
import type { OutboxEvent } from '../../core/events/catalogue';
import type { EventStore, WebhookStore } from '../../core/events/event-store';
import type { MemoryTables } from './tables';

const eventOf = ({ dispatchedAt: _, ...event }: OutboxEvent & { dispatchedAt: number | null }): OutboxEvent =>
  structuredClone(event);

export function createMemoryEventStore(tables: MemoryTables): EventStore {
  const rows = () => [...tables.events.values()];
  const byTime = (a: OutboxEvent, b: OutboxEvent) => a.occurredAt - b.occurredAt;
  return {
    async prepareDispatch(ids, now) {
      const events = rows()
        .filter((row) => ids.includes(row.id) && row.dispatchedAt === null)
        .sort(byTime);
      const endpoints = [...tables.webhookEndpoints.values()].filter((endpoint) => endpoint.pausedAt === null);
      for (const row of events) {
        if (!endpoints.some((endpoint) => endpoint.events.includes(row.type))) row.dispatchedAt = now;
      }
      return {
        events: events.map(eventOf),
        endpoints: endpoints.sort((a, b) => a.createdAt - b.createdAt).map((endpoint) => structuredClone(endpoint)),
      };
    },
    listUndispatched: async (before, limit) =>
      rows()
        .filter((row) => row.dispatchedAt === null && row.occurredAt < before)
        .sort(byTime)
        .slice(0, limit)
        .map(eventOf),
    async markDispatched(ids, now) {
      for (const id of ids) {
        const row = tables.events.get(id);
        if (row) row.dispatchedAt = now;
      }
    },
    async find(id) {
      const row = tables.events.get(id);
      return row ? eventOf(row) : null;
    },
    listForUser: async (userId, since, limit) =>
      rows()
        .filter((row) => row.userId === userId && row.occurredAt >= since)
        .reverse()
        .sort((a, b) => b.occurredAt - a.occurredAt)
        .slice(0, limit)
        .map(eventOf),
    async deleteBefore(before, limit) {
      const old = rows()
        .filter((row) => row.occurredAt < before)
        .slice(0, limit);
      for (const row of old) tables.events.delete(row.id);
      return old.length;
    },
  };
}

export function createMemoryWebhookStore(tables: MemoryTables): WebhookStore {
  const endpoints = tables.webhookEndpoints;
  return {
    async add(endpoint) {
      endpoints.set(endpoint.id, structuredClone(endpoint));
    },
    list: async () => [...endpoints.values()].sort((a, b) => a.createdAt - b.createdAt).map((e) => structuredClone(e)),
    async find(id) {
      const endpoint = endpoints.get(id);
      return endpoint ? structuredClone(endpoint) : null;
    },
    remove: async (id) => endpoints.delete(id),
    async rotateSecret(id, secretCiphertext, previousExpiresAt) {
      const endpoint = endpoints.get(id);
      if (!endpoint) return false;
      endpoints.set(id, {
        ...endpoint,
        secretCiphertext,
        previousSecretCiphertext: endpoint.secretCiphertext,
        previousSecretExpiresAt: previousExpiresAt,
      });
      return true;
    },
    async recordAttempt(id, { ok, now, pauseIfFailingSince }) {
      const endpoint = endpoints.get(id);
      if (!endpoint) return;
      if (ok) {
        endpoints.set(id, { ...endpoint, failingSince: null });
        return;
      }
      const pause =
        endpoint.pausedAt === null && endpoint.failingSince !== null && endpoint.failingSince <= pauseIfFailingSince;
      endpoints.set(id, {
        ...endpoint,
        failingSince: endpoint.failingSince ?? now,
        pausedAt: pause ? now : endpoint.pausedAt,
      });
    },
    async resume(id) {
      const endpoint = endpoints.get(id);
      if (!endpoint) return false;
      endpoints.set(id, { ...endpoint, pausedAt: null, failingSince: null });
      return true;
    },
  };
}
