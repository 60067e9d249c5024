// The new-device notice: a sign-in from a browser or device (the parsed user agent, "Firefox on
// Linux") not seen on the account in the last 90 days mails the person when, which device and
// roughly where, with a link to the sessions on /account. The account's very first device is not
// announced (the person has just made the account), and NEW_DEVICE_NOTICE=off turns it off. The
// device is a coarse label, not a fingerprint: a new browser on the same computer counts as new.
import type { User } from '../accounts/users';
import { type MailContext, type MailMessage, escapeHtml } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import type { AccountServices } from '../services';
import type { ClientLocation } from './event-store';

export const KNOWN_DEVICE_MS = 90 * 24 * 60 * 60 * 1000;

export type NewDeviceDeps = MailDeliveryDeps & Pick<AccountServices, 'knownDevices' | 'clientLocation'>;

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

/** After a session started: remembers the device, and mails the owner if it is new (deferred). */
export function noticeNewDevice(services: NewDeviceDeps, user: User, signIn: { device: string; at: number }): void {
  if (!services.settings.newDeviceNotice) return;
  const location = services.clientLocation?.() ?? null;
  services.defer(async () => {
    const seen = await services.knownDevices.recordSignIn(user.id, signIn.device, signIn.at);
    const recent = seen.lastSeenAt !== null && seen.lastSeenAt > signIn.at - KNOWN_DEVICE_MS;
    if (recent || seen.firstDevice) return;
    services.log({ event: 'login.new_device', userId: user.id });
    sendAccountMail(services, 'new_device', { userId: user.id }, async () =>
      newDeviceMessage(user.email, { username: user.username, ...signIn, location }, services.settings.mail),
    );
  });
}
