// The security activity trail: the account's own events of the last 90 days, newest first, as
// the person (GET /auth/activity, the /account card) and support (GET /admin/users/:id/activity)
// see them. The same rows as the webhooks' outbox; the user block is left out (it is the account).
import type { AccountServices } from '../services';
import type { EventData, EventType } from './catalogue';
import { ACTIVITY_RETENTION_MS } from './maintenance';

export const ACTIVITY_LIMIT = 50;

export interface ActivityEntry {
  id: string;
  type: EventType;
  timestamp: string;
  details: Omit<EventData, 'user'>;
}

export async function listActivity(
  services: Pick<AccountServices, 'events' | 'clock'>,
  userId: string,
  limit = ACTIVITY_LIMIT,
): Promise<ActivityEntry[]> {
  const since = services.clock.now() - ACTIVITY_RETENTION_MS;
  const events = await services.events.listForUser(userId, since, limit);
  return events.map(({ id, type, occurredAt, data: { user: _, ...details } }) => ({
    id,
    type,
    timestamp: new Date(occurredAt).toISOString(),
    details,
  }));
}
