import { describe, expect, it } from 'vitest';
import { createPwnedPasswordsChecker } from '../src/core/passwords/breached-passwords';

// SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
const PREFIX = '5BAA6';
const SUFFIX = '1E4C9B93F3F0682250B6CF8331B7EE68FD8';

interface Call {
  url: string;
  headers: Headers;
  signal: AbortSignal | null | undefined;
}

/** A fetch that answers every request with `body` and records what it was asked. */
function recordingFetch(body: string, status = 200) {
  const calls: Call[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers), signal: init?.signal });
    return new Response(body, { status });
  }) as typeof fetch;
  return { calls, fetcher };
}

describe('Pwned Passwords check', () => {
  it('sends only the first five hex digits of the SHA-1, asking for padding', async () => {
    const { calls, fetcher } = recordingFetch('');
    await createPwnedPasswordsChecker({ fetch: fetcher }).isBreached('password');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`https://api.pwnedpasswords.com/range/${PREFIX}`);
    expect(calls[0]!.url).not.toContain(SUFFIX);
    expect(calls[0]!.headers.get('Add-Padding')).toBe('true');
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('reports a password whose suffix the service lists', async () => {
    const { fetcher } = recordingFetch(
      `0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n${SUFFIX}:10434004\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2`,
    );
    expect(await createPwnedPasswordsChecker({ fetch: fetcher }).isBreached('password')).toBe(true);
  });

  it('does not report a password whose suffix is absent', async () => {
    const { fetcher } = recordingFetch(
      '0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2',
    );
    expect(await createPwnedPasswordsChecker({ fetch: fetcher }).isBreached('password')).toBe(false);
  });

  it('ignores a padding entry with a count of 0', async () => {
    const { fetcher } = recordingFetch(`0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n${SUFFIX}:0`);
    expect(await createPwnedPasswordsChecker({ fetch: fetcher }).isBreached('password')).toBe(false);
  });

  it('hashes the NFC form, so decomposed accents ask for the same range', async () => {
    const { calls, fetcher } = recordingFetch('');
    const checker = createPwnedPasswordsChecker({ fetch: fetcher });
    await checker.isBreached('caf\u00e9 au lait');
    await checker.isBreached('cafe\u0301 au lait');
    expect(calls[1]!.url).toBe(calls[0]!.url);
  });

  it('fails open, and logs, when the service answers 500', async () => {
    const { fetcher } = recordingFetch(`${SUFFIX}:10434004`, 500);
    const events: Record<string, unknown>[] = [];
    const checker = createPwnedPasswordsChecker({ fetch: fetcher, log: (event) => events.push(event) });
    expect(await checker.isBreached('password')).toBe(false);
    expect(events).toEqual([{ event: 'pwned_passwords.unavailable', reason: 'status', status: 500 }]);
  });

  it('fails open when the request throws', async () => {
    const fetcher = (async () => {
      throw new TypeError('network connection lost');
    }) as typeof fetch;
    const events: Record<string, unknown>[] = [];
    const checker = createPwnedPasswordsChecker({ fetch: fetcher, log: (event) => events.push(event) });
    expect(await checker.isBreached('password')).toBe(false);
    expect(events).toEqual([{ event: 'pwned_passwords.unavailable', reason: 'network' }]);
  });

  it('fails open when the service does not answer within the timeout', async () => {
    // Never answers; only the abort signal ends the request.
    const fetcher = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      })) as typeof fetch;
    const events: Record<string, unknown>[] = [];
    const checker = createPwnedPasswordsChecker({ fetch: fetcher, timeoutMs: 20, log: (event) => events.push(event) });
    expect(await checker.isBreached('password')).toBe(false);
    expect(events).toEqual([{ event: 'pwned_passwords.unavailable', reason: 'timeout' }]);
  });

  it('refuses a timeout that is not a positive integer', () => {
    const { fetcher } = recordingFetch('');
    expect(() => createPwnedPasswordsChecker({ fetch: fetcher, timeoutMs: 0 })).toThrow(RangeError);
  });
});
