// Outgoing mail: the Mailer interface every provider implements, and the account messages.
// Links are built from the configured APP_URL, never from the request's Host header, so an
// attacker cannot make Latchkey mail out links to a host of theirs.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves once the message is handed over; rejects if the provider refused it. */
  send(message: MailMessage): Promise<void>;
}

export interface MailContext {
  appName: string;
  appUrl: string;
  tokenTtlSeconds: number;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function linkMessage(
  to: string,
  subject: string,
  intro: string,
  action: string,
  link: string,
  context: MailContext,
): MailMessage {
  const minutes = Math.round(context.tokenTtlSeconds / 60);
  const expiry = `The link expires in ${minutes} minutes. If you did not ask for this, ignore this mail.`;
  return {
    to,
    subject,
    text: `${intro}\n\n${action}: ${link}\n\n${expiry}\n`,
    html:
      `<p>${escapeHtml(intro)}</p>` +
      `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>` +
      `<p>${escapeHtml(expiry)}</p>`,
  };
}

function linkTo(context: MailContext, path: string, token: string): string {
  const url = new URL(path, context.appUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

export function verificationMessage(to: string, username: string, token: string, context: MailContext): MailMessage {
  return linkMessage(
    to,
    `Verify your email for ${context.appName}`,
    `Hello ${username}, please confirm that this is your email address for ${context.appName}.`,
    'Verify email',
    linkTo(context, '/verify-email', token),
    context,
  );
}

export function passwordResetMessage(to: string, username: string, token: string, context: MailContext): MailMessage {
  return linkMessage(
    to,
    `Reset your ${context.appName} password`,
    `Hello ${username}, someone asked to reset the password of your ${context.appName} account.`,
    'Choose a new password',
    linkTo(context, '/reset-password', token),
    context,
  );
}

export function passwordChangedMessage(to: string, username: string, context: MailContext): MailMessage {
  const text =
    `Hello ${username}, the password of your ${context.appName} account was just changed, and your other ` +
    `sessions were signed out. If this was not you, reset your password now at ${new URL('/forgot-password', context.appUrl)}.`;
  return {
    to,
    subject: `Your ${context.appName} password was changed`,
    text: `${text}\n`,
    html: `<p>${escapeHtml(text)}</p>`,
  };
}

// Changing the address: the link goes to the new address (it proves that mailbox), and the
// current one is told before and after, so a hijacked session cannot move the account silently.

export function emailChangeMessage(to: string, username: string, token: string, context: MailContext): MailMessage {
  return linkMessage(
    to,
    `Confirm your new email for ${context.appName}`,
    `Hello ${username}, please confirm that this address should become the email of your ${context.appName} account.`,
    'Confirm new email',
    linkTo(context, '/confirm-email-change', token),
    context,
  );
}

function noticeMessage(to: string, subject: string, text: string): MailMessage {
  return { to, subject, text: `${text}\n`, html: `<p>${escapeHtml(text)}</p>` };
}

export function emailChangeRequestedMessage(to: string, username: string, context: MailContext): MailMessage {
  return noticeMessage(
    to,
    `A change of your ${context.appName} email was asked for`,
    `Hello ${username}, someone signed in to your ${context.appName} account asked to change its email ` +
      `address. Nothing changes until the new address confirms. If this was not you, change your password now.`,
  );
}

export function emailChangedMessage(to: string, username: string, context: MailContext): MailMessage {
  return noticeMessage(
    to,
    `Your ${context.appName} email was changed`,
    `Hello ${username}, the email of your ${context.appName} account was changed, and your other sessions ` +
      `were signed out. This address no longer receives its mail. If this was not you, contact support.`,
  );
}

export function accountDeletedMessage(to: string, username: string, context: MailContext): MailMessage {
  return noticeMessage(
    to,
    `Your ${context.appName} account was deleted`,
    `Hello ${username}, your ${context.appName} account and its data were deleted, and every session was ` +
      `signed out. If this was not you, contact support at once.`,
  );
}

/** One mail, two ways in: the link for this device, the code for another (issue: mail scanners). */
export function emailSignInMessage(
  to: string,
  greeting: string,
  token: string,
  code: string,
  context: MailContext,
): MailMessage {
  const link = linkTo(context, '/signin/email', token);
  const minutes = Math.round(context.tokenTtlSeconds / 60);
  const intro = `${greeting} Use the link or the code below to sign in to ${context.appName}.`;
  const codeLine = `Or enter this code on the sign-in page: ${code}`;
  const expiry =
    `The link and the code work once and expire in ${minutes} minutes. ` +
    'If you did not ask for this, ignore this mail.';
  return {
    to,
    subject: `Your ${context.appName} sign-in link and code`,
    text: `${intro}\n\nSign in: ${link}\n\n${codeLine}\n\n${expiry}\n`,
    html:
      `<p>${escapeHtml(intro)}</p>` +
      `<p><a href="${escapeHtml(link)}">Sign in</a></p>` +
      `<p>${escapeHtml(codeLine)}</p>` +
      `<p>${escapeHtml(expiry)}</p>`,
  };
}
