// Development mail: each message is logged and kept in KV so `/dev/mailbox` can show the last 50
// to a person walking the flows without a mail provider. Never used in production.
import type { MailMessage, Mailer } from '../core/mail/mail';

export interface CapturedMail extends MailMessage {
  id: string;
  sentAt: string;
}

export const MAILBOX_SIZE = 50;
const MAILBOX_PREFIX = 'dev-mailbox:';
const MAILBOX_RETENTION_SECONDS = 24 * 60 * 60;

// Keys sort newest first: the prefix is followed by (max - timestamp), zero-padded.
function mailboxKey(sentAt: number, id: string): string {
  return `${MAILBOX_PREFIX}${String(9_999_999_999_999 - sentAt).padStart(13, '0')}:${id}`;
}

export function createConsoleMailer(kv: KVNamespace, now: () => number, log: (line: string) => void): Mailer {
  return {
    async send(message) {
      const sentAt = now();
      const id = crypto.randomUUID();
      const captured: CapturedMail = { id, sentAt: new Date(sentAt).toISOString(), ...message };
      log(JSON.stringify({ event: 'mail.console', to: message.to, subject: message.subject, text: message.text }));
      await kv.put(mailboxKey(sentAt, id), JSON.stringify(captured), { expirationTtl: MAILBOX_RETENTION_SECONDS });
    },
  };
}

export async function readMailbox(kv: KVNamespace): Promise<CapturedMail[]> {
  const listing = await kv.list({ prefix: MAILBOX_PREFIX, limit: MAILBOX_SIZE });
  const messages = await Promise.all(listing.keys.map((key) => kv.get<CapturedMail>(key.name, 'json')));
  return messages.filter((message): message is CapturedMail => message !== null);
}
