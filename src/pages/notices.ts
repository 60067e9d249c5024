// Messages a redirect can ask the next page to show (`?notice=`). Only these keys are known, so
// a crafted link can never put its own words on a page.
const notices = {
  'password-reset': 'Your password has been changed and every session was signed out. Sign in with the new password.',
  'signed-out': 'You are signed out.',
  'session-ended': 'Your session has ended. Sign in again.',
  'password-changed': 'Your password has been changed. Every other session was signed out.',
  'session-revoked': 'That session has been signed out.',
  'two-step-expired': 'That sign-in took too long or had too many wrong codes. Sign in again.',
  'two-step-locked': 'Too many failed attempts. Wait a while, then sign in again.',
  'two-step-off': 'Two-step sign-in is off. Every other session was signed out.',
  verified: 'Your email address is verified. You can sign in now.',
  'email-change-sent': 'We sent a link to the new address. Open it to finish the change.',
  'account-deleted': 'Your account has been deleted.',
  'passkey-added': 'Your passkey has been added. You can sign in with it now.',
  'passkey-renamed': 'Your passkey has been renamed.',
  'passkey-removed': 'That passkey has been removed.',
  'identity-linked': 'The account has been connected. You can sign in with it now.',
  'identity-removed': 'That connected account has been disconnected.',
} as const;

export type NoticeKey = keyof typeof notices;

export function noticeText(key: string | undefined): string | undefined {
  return key && Object.hasOwn(notices, key) ? notices[key as NoticeKey] : undefined;
}
