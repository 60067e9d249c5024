// The client's address as Cloudflare saw it. Only CF-Connecting-IP is trusted: Cloudflare sets
// it and a client cannot, unlike X-Forwarded-For, which a client can fill with anything.
import type { Context } from 'hono';
import { bytesToBase64Url, sha256 } from '../core/encoding';

export function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/** A pseudonym for log lines: the first 12 characters of the address's SHA-256. */
export async function hashClientIp(ip: string): Promise<string> {
  return bytesToBase64Url(await sha256(`latchkey-log:${ip}`)).slice(0, 12);
}
