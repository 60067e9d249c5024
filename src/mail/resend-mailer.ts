// Mail through the Resend HTTP API. `fetch` is injected so tests can intercept the request.
// The caller runs this in waitUntil, so a provider outage never reaches the user's response; but
// waitUntil has its own limit (30 s after the response), so each attempt has a timeout and the
// retries are few: a provider that is down for longer loses this mail, which is logged as
// `mail.failed`, and the user can ask again (resend verification, forgot password).
import type { MailMessage, Mailer } from '../core/mail/mail';

export const RESEND_ENDPOINT = 'https://api.resend.com/emails';

/** Attempts per mail, and the waits between them (jittered up to twice as long). */
export const MAIL_ATTEMPTS = 3;
const BACKOFF_MS = [250, 1000] as const;
const ATTEMPT_TIMEOUT_MS = 5000;

export interface ResendMailerOptions {
  apiKey: string;
  from: string;
  fetch: typeof fetch;
  /** Per attempt; by default 5 s. */
  timeoutMs?: number;
  /** Injected by tests; by default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';

  constructor(
    message: string,
    /** False for an answer that a repeat would get again (a refused key or sender). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createResendMailer(options: ResendMailerOptions): Mailer {
  const { timeoutMs = ATTEMPT_TIMEOUT_MS, sleep = timerSleep } = options;

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
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection is released; its content is not needed.
    await response.body?.cancel();
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new MailDeliveryError(`Resend answered ${response.status}`, retryable);
    }
  }

  return {
    async send(message) {
      for (let attempts = 1; ; attempts += 1) {
        try {
          return await attempt(message);
        } catch (error) {
          // A network failure or a timeout (the signal's TimeoutError) is worth another try.
          const retryable = !(error instanceof MailDeliveryError) || error.retryable;
          if (!retryable || attempts >= MAIL_ATTEMPTS) throw error;
          const base = BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1]!;
          await sleep(Math.round(base * (1 + Math.random())));
        }
      }
    },
  };
}
