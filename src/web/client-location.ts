// Roughly where a request came from: Cloudflare's request.cf country and city (absent in Deno and
// often in local development). Used only in the new-device notice, never stored or logged.
import type { ClientLocation } from '../core/events/event-store';

export function clientLocationOf(request: Request): ClientLocation | null {
  const cf = (request as { cf?: { country?: unknown; city?: unknown } }).cf;
  const country = typeof cf?.country === 'string' && cf.country !== 'T1' ? cf.country : null;
  const city = typeof cf?.city === 'string' ? cf.city : null;
  return country || city ? { country, city } : null;
}
