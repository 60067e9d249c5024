// Standard Webhooks signatures (https://www.standardwebhooks.com): each delivery carries
// `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature`, a space-separated list of
// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per live secret, so a receiver keeps
// verifying while a rotation is under way. Secrets are `whsec_` + base64 of 32 random bytes; the
// HMAC key is the decoded base64 part.
import { randomBytes } from '../kit/encoding';

const SECRET_PREFIX = 'whsec_';

function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + base64Of(randomBytes(32));
}

async function signWith(secret: string, content: string): Promise<string> {
  const raw = Uint8Array.from(atob(secret.slice(SECRET_PREFIX.length)), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(content));
  return `v1,${base64Of(new Uint8Array(mac))}`;
}

/** The three Standard Webhooks headers of one attempt, signed with every secret given. */
export async function webhookHeaders(
  secrets: readonly string[],
  delivery: { id: string; timestampSeconds: number; body: string },
): Promise<Record<string, string>> {
  const content = `${delivery.id}.${delivery.timestampSeconds}.${delivery.body}`;
  const signatures = await Promise.all(secrets.map((secret) => signWith(secret, content)));
  return {
    'webhook-id': delivery.id,
    'webhook-timestamp': String(delivery.timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
