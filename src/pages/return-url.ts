// Where a browser may be sent after signing in. An open redirect on a sign-in page is a phishing
// tool, so only two kinds of target pass: a same-origin path ("/account", never "//evil" or
// "/\evil", which browsers read as another host), or an absolute http(s) URL under one of the
// RETURN_URL_ALLOWLIST entries (same origin, and the entry's path as a whole-segment prefix).
// A path is judged after resolution, as the browser will read the Location we send: dot
// segments ("/.//evil", "/a/..//evil", "/%2e%2e//evil") can resolve to "//evil".

export const DEFAULT_RETURN_PATH = '/account';

/** The target to redirect to, or null when the candidate is not allowed. */
export function allowedReturnUrl(
  candidate: string | undefined,
  requestOrigin: string,
  allowlist: readonly string[],
): string | null {
  if (!candidate || candidate.length > 2048) return null;
  // Browsers strip tabs and newlines from URLs and treat "\" like "/": refuse them outright.
  if (/[\s\\\p{Cc}]/u.test(candidate)) return null;
  if (candidate.startsWith('/')) {
    if (candidate.startsWith('//')) return null;
    const resolved = new URL(candidate, requestOrigin);
    if (resolved.origin !== requestOrigin) return null;
    // The resolved path is what we send back; if it starts with "//", so would the Location.
    if (resolved.pathname.startsWith('//')) return null;
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return allowlist.some((entry) => isUnder(url, new URL(entry))) ? url.toString() : null;
}

function isUnder(url: URL, entry: URL): boolean {
  if (url.origin !== entry.origin) return false;
  const prefix = entry.pathname;
  if (prefix === '/' || url.pathname === prefix) return true;
  return url.pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}
