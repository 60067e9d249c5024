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

type WebhookServices = Pick<AccountServices, 'webhooks' | 'dataKeys' | 'clock' | 'log' | 'settings'>;

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

/** An IPv4 network: its first address as a number, and the length of its prefix in bits. */
type Ipv4Range = readonly [network: number, prefixBits: number];

const LOOPBACK_IPV4: Ipv4Range = [0x7f000000, 8];

/**
 * IPv4 ranges that are not the public internet: this host, private networks, link-local (cloud
 * metadata services), carrier-grade NAT, benchmarking, multicast and reserved.
 */
const PRIVATE_IPV4: readonly Ipv4Range[] = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  LOOPBACK_IPV4,
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xe0000000, 3],
];

/** The address of a dotted IPv4 host (as the URL parser writes every IPv4 form), or null. */
function ipv4Of(host: string): number | null {
  const parts = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return parts ? parts.slice(1).reduce((value, part) => value * 256 + Number(part), 0) : null;
}

const inRange = (address: number, [network, bits]: Ipv4Range) =>
  Math.floor(address / 2 ** (32 - bits)) === network / 2 ** (32 - bits);

const isPrivateIpv4 = (address: number) => PRIVATE_IPV4.some((range) => inRange(address, range));

/** IPv6 literals (as the URL parser writes them, in brackets) that are not the public internet. */
function isPrivateIpv6(host: string): boolean {
  if (!host.startsWith('[')) return false;
  const address = host.slice(1, -1);
  if (address === '::' || address === '::1') return true;
  // IPv4-mapped (::ffff:a.b.c.d, written in hex by the parser): whatever the IPv4 address is.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped) return isPrivateIpv4(parseInt(mapped[1]!, 16) * 0x10000 + parseInt(mapped[2]!, 16));
  // Unique local (fc00::/7), link-local (fe80::/10) and multicast (ff00::/8): a first group of
  // four digits, since the parser drops leading zeros (`fc0:` is 0fc0, none of these).
  return /^(f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]|ff[0-9a-f]{2}):/.test(address);
}

/** Whether a URL's host names this machine or a private network: by name or by address. */
function isPrivateHost(hostname: string): boolean {
  const ipv4 = ipv4Of(hostname);
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    (ipv4 !== null && isPrivateIpv4(ipv4)) ||
    isPrivateIpv6(hostname)
  );
}

/**
 * Why `url` cannot receive webhooks, or null when it can. Plain http only for this machine; a host
 * on this machine or a private network (by name or address) only when `privateAddresses` allows it
 * (development). A public name that resolves to a private address is not caught here.
 */
export function webhookUrlProblem(url: string, privateAddresses = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  const ipv4 = ipv4Of(parsed.hostname);
  const loopback = LOOPBACK_HOSTS.has(parsed.hostname) || (ipv4 !== null && inRange(ipv4, LOOPBACK_IPV4));
  if (!privateAddresses && isPrivateHost(parsed.hostname)) {
    return 'must name a public host (not this machine or a private network)';
  }
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
  const problem = webhookUrlProblem(input.url, services.settings.webhooksToPrivateAddresses);
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
