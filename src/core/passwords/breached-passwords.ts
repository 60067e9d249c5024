// An optional check of a new password against Have I Been Pwned's Pwned Passwords, by
// k-anonymity: only the first 5 hex digits of the password's SHA-1 leave the worker, and the
// service's answer (every known suffix for that prefix, padded with decoys) is searched here.
// It fails open: an outage of a third party must not stop people from registering or resetting,
// and the bundled common-password list still applies. Each failure is logged so it is seen.

const RANGE_URL = 'https://api.pwnedpasswords.com/range/';
const PREFIX_LENGTH = 5;

export interface BreachedPasswordChecker {
  /** True only when the service answered and lists the password; false otherwise, including on failure. */
  isBreached(password: string): Promise<boolean>;
}

export interface PwnedPasswordsOptions {
  fetch: typeof fetch;
  /** Bounds how long registration waits for the service. */
  timeoutMs?: number;
  log?: (event: Record<string, unknown>) => void;
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** Finds the suffix among `SUFFIX:COUNT` lines; padding lines have a count of 0 and never match. */
function listsSuffix(body: string, suffix: string): boolean {
  for (const line of body.split('\n')) {
    const [candidate, count] = line.trim().split(':');
    if (candidate?.toUpperCase() === suffix && Number(count) > 0) return true;
  }
  return false;
}

export function createPwnedPasswordsChecker(options: PwnedPasswordsOptions): BreachedPasswordChecker {
  const { fetch: fetcher, timeoutMs = 1500, log = () => {} } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError('timeoutMs must be a positive integer');

  return {
    async isBreached(password) {
      // NFC, like the hash, so the answer does not depend on how the accents were typed.
      const hash = await sha1Hex(password.normalize('NFC'));
      const prefix = hash.slice(0, PREFIX_LENGTH);
      let response: Response;
      let body: string;
      try {
        response = await fetcher(RANGE_URL + prefix, {
          headers: { 'Add-Padding': 'true' }, // hides how many suffixes the prefix has from on-path observers
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.status !== 200) {
          await response.body?.cancel(); // free the connection; the body is of no use
          log({ event: 'pwned_passwords.unavailable', reason: 'status', status: response.status });
          return false;
        }
        body = await response.text();
      } catch (error) {
        const timedOut =
          error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
        log({ event: 'pwned_passwords.unavailable', reason: timedOut ? 'timeout' : 'network' });
        return false;
      }
      return listsSuffix(body, hash.slice(PREFIX_LENGTH));
    },
  };
}
