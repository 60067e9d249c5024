// What the page tests need of a browser: a cookie jar of name=value pairs, GETs that ask for HTML,
// and same-origin form posts that carry the double-submit CSRF token.
import { type Harness, signedInUser } from './harness';

export const PAGE_ORIGIN = 'https://latchkey.test';

export class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  get csrf() {
    return this.cookies.get('__Host-latchkey-csrf') ?? '';
  }
}

export async function visit(harness: Harness, jar: Jar, path: string) {
  const response = await harness.request(path, { headers: { cookie: jar.header(), accept: 'text/html' } });
  jar.take(response);
  return response;
}

/** A same-origin form post with the jar's CSRF token added to the fields. */
export async function postForm(harness: Harness, jar: Jar, path: string, fields: Record<string, string>) {
  const response = await harness.request(path, {
    method: 'POST',
    headers: {
      cookie: jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      origin: PAGE_ORIGIN,
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({ csrf: jar.csrf, ...fields }).toString(),
  });
  jar.take(response);
  return response;
}

/**
 * A new user signed in through the /signin page, as a browser would: the jar then holds the
 * session cookies. The response is the sign-in's (a 303 to /account or the return URL).
 */
export async function browserSignedIn(harness: Harness, options: { prefix?: string; redirectTo?: string } = {}) {
  const { identity } = await signedInUser(harness, options.prefix ?? 'page');
  const jar = new Jar();
  await visit(harness, jar, '/signin');
  const response = await postForm(harness, jar, '/signin', {
    identifier: identity.username,
    password: identity.password,
    ...(options.redirectTo !== undefined ? { redirect_to: options.redirectTo } : {}),
  });
  if (response.status !== 303) throw new Error(`the sign-in page answered ${response.status}`);
  return { identity, jar, response };
}
