// One delivery attempt of one event to one endpoint, and the attempt policy. Every attempt of a
// delivery carries the event id as its webhook-id, so a receiver can drop repeats. Redirects are
// not followed (a 3xx is a failure: the endpoint's URL is the one the admin registered), and an
// attempt gives up after 10 s. 8 attempts over about 21.6 hours, then the dead-letter queue. An
// endpoint whose attempts have failed for 24 hours without a success between is paused.
import type { AccountServices } from '../services';
import { eventPayload } from './catalogue';
import type { DeliveryMessage } from './event-store';
import { webhookHeaders } from './signing';
import { openSecret } from './webhooks';

/** The wait before attempt n + 2 (index n): 1 min, 5 min, 30 min, 1 h, 2 h, 6 h, 12 h. */
export const RETRY_DELAYS_SECONDS = [60, 300, 1800, 3600, 7200, 21_600, 43_200] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
export const ATTEMPT_TIMEOUT_MS = 10_000;
export const PAUSE_AFTER_FAILING_MS = 24 * 60 * 60 * 1000;

export type DeliveryOutcome =
  /** 2xx: done. */
  | { kind: 'delivered' }
  /** The event or endpoint is gone, or the endpoint is paused: nothing to send. */
  | { kind: 'dropped' }
  /** Failed; try again after `delaySeconds`. */
  | { kind: 'retry'; delaySeconds: number }
  /** Failed on the last attempt: for the dead-letter queue. */
  | { kind: 'exhausted' };

export type DeliveryServices = Pick<AccountServices, 'events' | 'webhooks' | 'dataKeys' | 'clock'> & {
  fetch: typeof fetch;
};

/** The attempt policy alone: what follows a failed attempt number `attempt` (1-based). */
export function afterFailedAttempt(attempt: number): DeliveryOutcome {
  const delay = RETRY_DELAYS_SECONDS[attempt - 1];
  return delay === undefined ? { kind: 'exhausted' } : { kind: 'retry', delaySeconds: delay };
}

async function post(fetcher: typeof fetch, url: string, headers: Record<string, string>, body: string) {
  try {
    const response = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Latchkey-Webhooks', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300;
  } catch {
    // Refused, reset, timed out: a failed attempt like a 5xx.
    return false;
  }
}

/** Makes attempt number `attempt` (1-based) of `message`. */
export async function attemptDelivery(
  services: DeliveryServices,
  message: DeliveryMessage,
  attempt: number,
): Promise<DeliveryOutcome> {
  const [event, endpoint] = await Promise.all([
    services.events.find(message.eventId),
    services.webhooks.find(message.endpointId),
  ]);
  if (!event || !endpoint || endpoint.pausedAt !== null) return { kind: 'dropped' };
  const now = services.clock.now();
  const live = [endpoint.secretCiphertext];
  if (endpoint.previousSecretCiphertext && (endpoint.previousSecretExpiresAt ?? 0) > now) {
    live.push(endpoint.previousSecretCiphertext);
  }
  const secrets = await Promise.all(live.map((ciphertext) => openSecret(services, endpoint.id, ciphertext)));
  const body = JSON.stringify(eventPayload(event));
  const headers = await webhookHeaders(
    secrets.filter((secret): secret is string => secret !== null),
    { id: event.id, timestampSeconds: Math.floor(now / 1000), body },
  );
  const ok = await post(services.fetch, endpoint.url, headers, body);
  await services.webhooks.recordAttempt(endpoint.id, {
    ok,
    now,
    pauseIfFailingSince: now - PAUSE_AFTER_FAILING_MS,
  });
  return ok ? { kind: 'delivered' } : afterFailedAttempt(attempt);
}
