// Sending account mail after the response, within a per-address hourly quota. The HTTP answer
// never depends on whether a mail was sent, so neither the quota nor a provider outage can be
// observed by the caller.
import type { MailMessage } from './mail';
import type { AccountServices } from '../services';

/** Quota counters are keyed `mail:<kind>:<user id>` and counted in windows of an hour. */
export const MAIL_COUNTER_PREFIX = 'mail:';
export const MAIL_QUOTA_WINDOW_MS = 60 * 60 * 1000;

/** What sending account mail uses. */
export type MailDeliveryDeps = Pick<AccountServices, 'mailer' | 'throttle' | 'clock' | 'settings' | 'log' | 'defer'>;

export function sendAccountMail(
  services: MailDeliveryDeps,
  kind: string,
  recipient: { userId: string },
  build: () => Promise<MailMessage>,
  options: { quota: boolean } = { quota: true },
): void {
  services.defer(async () => {
    try {
      if (options.quota) {
        const sent = await services.throttle.hit(`${MAIL_COUNTER_PREFIX}${kind}:${recipient.userId}`, {
          now: services.clock.now(),
          windowMs: MAIL_QUOTA_WINDOW_MS,
        });
        if (sent > services.settings.mailQuota.maxPerHour) {
          services.log({ event: 'mail.throttled', kind, userId: recipient.userId });
          return;
        }
      }
      await services.mailer.send(await build());
    } catch (error) {
      // The provider's answer may echo the message; log only what kind of mail failed.
      services.log({
        event: 'mail.failed',
        kind,
        userId: recipient.userId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  });
}
