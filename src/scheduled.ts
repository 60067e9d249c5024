// The Worker's scheduled entry: the Cron Trigger in wrangler.toml runs the deletion of expired
// records (src/core/sessions/expired-records.ts). One log line per run says how many rows went and whether
// some were left for the next run.
import { ConfigError, type Env } from './config';
import { type ExpiredRecordLimits, deleteExpiredRecords } from './core/sessions/expired-records';
import { consoleSink } from './log-sink';
import { type ServiceOverrides, createCleanupServices, createEventServices } from './services';
import { maintainEvents } from './core/events/maintenance';

export function createScheduledHandler(
  overrides: Pick<ServiceOverrides, 'clock' | 'log' | 'eventQueue'> & { limits?: ExpiredRecordLimits } = {},
): ExportedHandlerScheduledHandler<Env> {
  const log = overrides.log ?? consoleSink;
  return async (controller, env) => {
    try {
      const { records, clock, counterFamilies } = createCleanupServices(env, overrides);
      const deleted = await deleteExpiredRecords(records, {
        now: clock.now(),
        counterFamilies,
        limits: overrides.limits,
      });
      // Events out: the outbox sweep (deliveries a failed queue send left behind) and retention.
      const events = await maintainEvents(createEventServices(env, overrides));
      log(JSON.stringify({ level: 'info', event: 'cleanup.completed', cron: controller.cron, ...deleted, ...events }));
    } catch (error) {
      // By name only, as in the app's error handler: D1 errors may quote the statement.
      const name = error instanceof Error ? error.name : 'unknown';
      log(
        JSON.stringify({
          level: 'error',
          event: error instanceof ConfigError ? 'config.invalid' : 'cleanup.failed',
          error: name,
          // A configuration error names the setting, never its value.
          ...(error instanceof ConfigError ? { message: error.message } : {}),
        }),
      );
      // Thrown on, so the Cron Events log shows the run as failed.
      throw error;
    }
  };
}
