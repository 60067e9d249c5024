// The hourly part of events out: re-send what a request did not hand to the queue, and delete
// events older than the 90 days the activity trail keeps (a bounded number per run).
import { type DispatchServices, sweepOutbox } from './dispatch';

export const ACTIVITY_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
export const EXPIRED_EVENTS_PER_RUN = 1000;

export async function maintainEvents(
  services: DispatchServices,
): Promise<{ eventsSwept: number; eventsExpired: number }> {
  const eventsSwept = await sweepOutbox(services);
  const eventsExpired = await services.events.deleteBefore(
    services.clock.now() - ACTIVITY_RETENTION_MS,
    EXPIRED_EVENTS_PER_RUN,
  );
  return { eventsSwept, eventsExpired };
}
