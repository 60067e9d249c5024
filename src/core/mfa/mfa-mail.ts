// The notices of two-step sign-in changes. Each tells the owner what happened and what to do if it
// was not them; none carries a secret or a code.
import type { MailContext, MailMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import type { User } from '../accounts/users';

export type MfaNotice =
  'mfa_enabled' | 'mfa_disabled' | 'mfa_removed_by_support' | 'recovery_code_used' | 'recovery_codes_regenerated';

const notices: Record<MfaNotice, { subject: (app: string) => string; happened: string }> = {
  mfa_enabled: {
    subject: (app) => `Two-step sign-in is on for your ${app} account`,
    happened: 'two-step sign-in was turned on for your account, and your other sessions were signed out.',
  },
  mfa_disabled: {
    subject: (app) => `Two-step sign-in is off for your ${app} account`,
    happened: 'two-step sign-in was turned off for your account, and your other sessions were signed out.',
  },
  mfa_removed_by_support: {
    subject: (app) => `Two-step sign-in is off for your ${app} account`,
    happened: 'two-step sign-in was turned off for your account by support.',
  },
  recovery_code_used: {
    subject: (app) => `A recovery code was used for your ${app} account`,
    happened: 'a recovery code was just used to sign in to your account; it cannot be used again.',
  },
  recovery_codes_regenerated: {
    subject: (app) => `New recovery codes for your ${app} account`,
    happened: 'a new set of recovery codes was made for your account; the old codes no longer work.',
  },
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function mfaNoticeMessage(
  kind: MfaNotice,
  user: Pick<User, 'email' | 'username'>,
  context: MailContext,
): MailMessage {
  const { subject, happened } = notices[kind];
  const text =
    `Hello ${user.username}, ${happened} If this was not you, reset your password now at ` +
    `${new URL('/forgot-password', context.appUrl)} and contact support.`;
  return { to: user.email, subject: subject(context.appName), text: `${text}\n`, html: `<p>${escapeHtml(text)}</p>` };
}

/** Mails a notice after the response; security notices are not held back by the mail quota. */
export function sendMfaNotice(
  services: MailDeliveryDeps,
  kind: MfaNotice,
  user: Pick<User, 'id' | 'email' | 'username'>,
): void {
  sendAccountMail(
    services,
    kind,
    { userId: user.id },
    async () => mfaNoticeMessage(kind, user, services.settings.mail),
    {
      quota: false,
    },
  );
}
