import { describe, expect, it } from 'vitest';
import { clientKey } from '../src/web/client-ip';
import { createHarness } from './support/harness';

describe('client key for per-client limits', () => {
  it('keys an IPv4 client by its address', () => {
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('192.0.2.2')).not.toBe(clientKey('192.0.2.1'));
  });

  it('keys an IPv6 client by its /64', () => {
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });

  it('gives every spelling of one /64 the same key', () => {
    const spellings = [
      '2001:db8::1',
      '2001:0db8:0000:0000:0000:0000:0000:0002',
      '2001:DB8:0:0:abcd::',
      '2001:db8::ffff:0:1.2.3.4',
      '2001:db8:0::0:1%eth0',
    ];
    expect(new Set(spellings.map(clientKey))).toEqual(new Set(['2001:db8:0:0::/64']));
    expect(clientKey('::')).toBe('0:0:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::FFFF:c000:201')).toBe('192.0.2.1');
    expect(clientKey('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('keys an unparseable address as given, never as a shared bucket', () => {
    for (const junk of ['1:2:3', '1::2::3', 'fe80::g', '::ffff:300.1.1.1', '1:2:3:4:5:6:7:8:9', 'unknown']) {
      expect(clientKey(junk)).toBe(junk);
    }
  });
});

describe('per-client limits through the worker', () => {
  const login = (harness: ReturnType<typeof createHarness>, ip: string, i: number) =>
    harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: `nobody_${i}`, password: 'wrong password' },
      headers: { 'cf-connecting-ip': ip },
    });

  it('shares one bucket between two addresses of one /64', async () => {
    const harness = createHarness();
    const [a, b] = crypto.getRandomValues(new Uint16Array(2));
    const network = `2001:db8:${a!.toString(16)}:${b!.toString(16)}`;
    for (let i = 0; i < 20; i++)
      expect((await login(harness, `${network}::${(i + 1).toString(16)}`, i)).status).toBe(401);
    const sameNetwork = await login(harness, `${network}:ffff:ffff:ffff:fffe`, 20);
    expect(sameNetwork.status).toBe(429);
    const otherNetwork = await login(harness, `2001:db8:${a!.toString(16)}:${((b! + 1) & 0xffff).toString(16)}::1`, 21);
    expect(otherNetwork.status).toBe(401);
  });

  it('shares one bucket between an IPv4 address and its IPv4-mapped IPv6 form', async () => {
    const harness = createHarness();
    const [c, d] = crypto.getRandomValues(new Uint8Array(2));
    const ipv4 = `198.18.${c}.${d}`;
    for (let i = 0; i < 20; i++) await login(harness, i % 2 ? ipv4 : `::ffff:${ipv4}`, i);
    expect((await login(harness, ipv4, 20)).status).toBe(429);
  });
});
