// The new-device notice: a sign-in from a browser or device (the parsed user agent, "Firefox on
// Linux") the account has not signed in from in the last 90 days mails the person when, which
// device and roughly where, with a link to the sessions on /account. Whether the device is new is
// decided by the storage write that starts the session (session.created's `newDevice`, from the
// known devices, in the same transaction), so the notice costs no extra round trip. The account's
// very first device is not announced (the person has just made the account, or the account
// predates the record), and NEW_DEVICE_NOTICE=off turns it off. The device is a coarse label, not
// a fingerprint: a second Firefox on another Linux computer is not new.
import type { User } from '../accounts/users';
import { type MailContext, type MailMessage, escapeHtml } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import type { AccountServices } from '../services';
import type { OutboxEvent } from './catalogue';
import type { ClientLocation } from './event-store';

export type NewDeviceDeps = MailDeliveryDeps & Pick<AccountServices, 'clientLocation'>;

export function newDeviceMessage(
  to: string,
  signIn: { username: string; device: string; at: number; location: ClientLocation | null },
  context: MailContext,
): MailMessage {
  const where = [signIn.location?.city, signIn.location?.country].filter(Boolean).join(', ');
  const when = new Date(signIn.at).toUTCString();
  const sessions = new URL('/account#sessions', context.appUrl).toString();
  const lines = [
    `Hello ${signIn.username}, your ${context.appName} account was just signed in to from a device it has not been used on recently.`,
    `When: ${when}`,
    `Device: ${signIn.device}`,
    ...(where ? [`Where (approximately): ${where}`] : []),
    `If this was you, there is nothing to do. If not, end that session and change your password: ${sessions}`,
  ];
  return {
    to,
    subject: `New sign-in to your ${context.appName} account`,
    text: `${lines.join('\n')}\n`,
    html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join(''),
  };
}

/**
 * Reads where the request came from at once (it belongs to the request); returns what to do with
 * the session.created event once it is stored: mail the owner if it says `newDevice`.
 */
export function newDeviceNotice(services: NewDeviceDeps, user: User): (recorded: OutboxEvent) => void {
  if (!services.settings.newDeviceNotice) return () => {};
  const location = services.clientLocation?.() ?? null;
  return (recorded) => {
    const device = recorded.data.device;
    if (recorded.data.newDevice !== true || typeof device !== 'string') return;
    services.log({ event: 'login.new_device', userId: user.id });
    sendAccountMail(services, 'new_device', { userId: user.id }, async () =>
      newDeviceMessage(
        user.email,
        { username: user.username, device, at: recorded.occurredAt, location },
        services.settings.mail,
      ),
    );
  };
}
