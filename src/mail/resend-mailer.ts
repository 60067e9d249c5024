// Mail through the Resend HTTP API. `fetch` is injected so tests can intercept the request.
// A failed send is retried once; the caller runs this in waitUntil, so a provider outage never
// reaches the user's response.
import type { MailMessage, Mailer } from '../core/mail';

export const RESEND_ENDPOINT = 'https://api.resend.com/emails';

export interface ResendMailerOptions {
  apiKey: string;
  from: string;
  fetch: typeof fetch;
}

export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
}

export function createResendMailer(options: ResendMailerOptions): Mailer {
  async function attempt(message: MailMessage): Promise<void> {
    const response = await options.fetch(RESEND_ENDPOINT, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: options.from,
        to: [message.to],
        subject: message.subject,
        text: message.text,
        html: message.html,
      }),
    });
    // Drain the body so the connection is released; its content is not needed.
    await response.body?.cancel();
    if (!response.ok) throw new MailDeliveryError(`Resend answered ${response.status}`);
  }

  return {
    async send(message) {
      try {
        await attempt(message);
      } catch {
        await attempt(message);
      }
    },
  };
}
