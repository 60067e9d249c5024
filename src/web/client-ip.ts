// The client's address as Cloudflare saw it. Only CF-Connecting-IP is trusted: Cloudflare sets
// it and a client cannot, unlike X-Forwarded-For, which a client can fill with anything.
import type { Context } from 'hono';
import { bytesToBase64Url, sha256 } from '../core/kit/encoding';

export function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/** A pseudonym for log lines: the first 12 characters of the address's SHA-256. */
export async function hashClientIp(ip: string): Promise<string> {
  return bytesToBase64Url(await sha256(`latchkey-log:${ip}`)).slice(0, 12);
}

/**
 * Who counts as one client for per-client limits. An IPv6 network hands one subscriber a whole
 * /64 (RFC 6177), so keying by address would give an attacker 2^64 buckets: IPv6 clients are
 * keyed by their /64 (in one canonical spelling, whatever the compression), IPv4 clients by their
 * address, and an IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as the IPv4 address it maps.
 * Anything unparseable is keyed as given, so it still gets a bucket of its own.
 */
export function clientKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address.replace(/%.*$/, ''));
  if (!groups) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const tail: number[] = [];
  // A dotted IPv4 ending (::ffff:192.0.2.1) stands for the last two groups.
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const octets = dotted.slice(2).map(Number);
    if (octets.some((octet) => octet > 255)) return null;
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  if ([...head, ...rest].some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return null;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const zeros = new Array<string>(8 - explicit).fill('0');
  const groups = [...head, ...(halves.length === 2 ? zeros : []), ...rest].map((group) => parseInt(group, 16));
  return [...groups, ...tail];
}
