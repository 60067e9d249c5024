// The admin API's webhook endpoints: register (the secret is shown once), list, remove, rotate the
// secret (the previous one keeps signing for a day, so receivers can switch without a gap) and
// resume a paused endpoint. Secrets are stored encrypted under the data key, bound to the
// endpoint's id: they must be read back to sign. URLs are absolute http(s); plain http only to
// loopback, so a secret and account events never cross a network unencrypted.
import { decryptData, encryptData } from '../kit/data-encryption';
import { AuthError } from '../kit/errors';
import { generateToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import type { EventType } from './catalogue';
import type { WebhookEndpoint } from './event-store';
import { generateWebhookSecret } from './signing';

/** How long the secret before a rotation still signs. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

type WebhookServices = Pick<AccountServices, 'webhooks' | 'dataKeys' | 'clock' | 'log'>;

/** An endpoint as the admin API shows it: no secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: EventType[];
  createdAt: string;
  /** Since when its attempts have failed without a success; null while healthy. */
  failingSince: string | null;
  /** When it was paused for failing; null while active. */
  pausedAt: string | null;
}

const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());

export function webhookViewOf(endpoint: WebhookEndpoint): WebhookView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    createdAt: new Date(endpoint.createdAt).toISOString(),
    failingSince: iso(endpoint.failingSince),
    pausedAt: iso(endpoint.pausedAt),
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** Why `url` cannot receive webhooks, or null when it can. */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  const loopback = LOOPBACK_HOSTS.has(parsed.hostname) || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
  if (parsed.protocol === 'http:' && !loopback) return 'must use https (plain http only for localhost)';
  return null;
}

const associatedData = (endpointId: string) => `webhook:${endpointId}`;

const sealSecret = (services: Pick<AccountServices, 'dataKeys'>, endpointId: string, secret: string) =>
  encryptData(services.dataKeys, new TextEncoder().encode(secret), associatedData(endpointId));

/** The secret, or null when it no longer decrypts (a data key removed too early). */
export async function openSecret(
  services: Pick<AccountServices, 'dataKeys'>,
  endpointId: string,
  ciphertext: string,
): Promise<string | null> {
  const plaintext = await decryptData(services.dataKeys, ciphertext, associatedData(endpointId));
  return plaintext && new TextDecoder().decode(plaintext);
}

const notFound = () => new AuthError('not_found', 'No such webhook endpoint.');

export async function createWebhook(
  services: WebhookServices,
  input: { url: string; events: EventType[] },
): Promise<{ webhook: WebhookView; secret: string }> {
  const problem = webhookUrlProblem(input.url);
  if (problem) {
    throw new AuthError('validation_failed', 'Some fields are not valid.', [{ field: 'url', message: problem }]);
  }
  const id = `wh_${generateToken(12)}`;
  const secret = generateWebhookSecret();
  const endpoint: WebhookEndpoint = {
    id,
    url: input.url,
    events: [...new Set(input.events)],
    secretCiphertext: await sealSecret(services, id, secret),
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    createdAt: services.clock.now(),
    failingSince: null,
    pausedAt: null,
  };
  await services.webhooks.add(endpoint);
  services.log({ event: 'admin.webhook_created', webhookId: id, events: endpoint.events });
  return { webhook: webhookViewOf(endpoint), secret };
}

export async function listWebhooks(services: Pick<AccountServices, 'webhooks'>): Promise<WebhookView[]> {
  return (await services.webhooks.list()).map(webhookViewOf);
}

export async function removeWebhook(services: Pick<AccountServices, 'webhooks' | 'log'>, id: string): Promise<void> {
  if (!(await services.webhooks.remove(id))) throw notFound();
  services.log({ event: 'admin.webhook_removed', webhookId: id });
}

/** A new secret; the current one keeps signing beside it for PREVIOUS_SECRET_TTL_MS. */
export async function rotateWebhookSecret(services: WebhookServices, id: string): Promise<{ secret: string }> {
  const secret = generateWebhookSecret();
  const ciphertext = await sealSecret(services, id, secret);
  if (!(await services.webhooks.rotateSecret(id, ciphertext, services.clock.now() + PREVIOUS_SECRET_TTL_MS))) {
    throw notFound();
  }
  services.log({ event: 'admin.webhook_secret_rotated', webhookId: id });
  return { secret };
}

export async function resumeWebhook(
  services: Pick<AccountServices, 'webhooks' | 'log'>,
  id: string,
): Promise<WebhookView> {
  if (!(await services.webhooks.resume(id))) throw notFound();
  services.log({ event: 'admin.webhook_resumed', webhookId: id });
  return webhookViewOf((await services.webhooks.find(id))!);
}
