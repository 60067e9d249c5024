// A browser for the outside sign-in tests: keeps the cookies the worker sets (by name, as a
// browser would for one site) and follows Latchkey's redirect to the provider.
import type { Harness } from './harness';

export interface OutsideBrowser {
  cookies: Map<string, string>;
  /** Requests `path` with the cookies held, and keeps the ones the answer sets or clears. */
  get(path: string, init?: RequestInit): Promise<Response>;
  /** GET /auth/oauth/:provider: answers the provider's authorization URL. */
  start(provider: string, query?: string): Promise<string>;
}

export function createOutsideBrowser(harness: Harness): OutsideBrowser {
  const cookies = new Map<string, string>();
  async function get(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await harness.request(path, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }
  return {
    cookies,
    get,
    async start(provider, query = '') {
      const response = await get(`/auth/oauth/${provider}${query}`);
      if (response.status !== 303) throw new Error(`start answered ${response.status}`);
      return response.headers.get('location')!;
    },
  };
}
