import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { renderQrSvg } from '../src/core/kit/qr-svg';
import { totpKeyUri } from '../src/core/mfa/totp';

const URI = totpKeyUri({
  issuer: 'Latchkey',
  accountName: 'ada@example.com',
  secret: new TextEncoder().encode('12345678901234567890'),
});

/** The modules a path of `M<x> <y>h<n>v1h-<n>z` runs paints, as "x,y" strings. */
function paintedModules(path: string): Set<string> {
  const cells = new Set<string>();
  for (const [, x, y, n] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(n); i++) cells.add(`${Number(x) + i},${y}`);
  }
  return cells;
}

describe('QR code SVG', () => {
  it('renders an otpauth URI as one standalone svg element', () => {
    const svg = renderQrSvg(URI);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"[^>]*>.*<\/svg>$/);
    expect(svg.match(/<svg/g)).toHaveLength(1);
  });

  it('paints exactly the dark modules of the encoded symbol, quiet zone included', () => {
    const svg = renderQrSvg(URI);
    const { size, data } = encode(URI, { ecc: 'M', border: 4 });
    const expected = new Set<string>();
    data.forEach((row, y) => row.forEach((dark, x) => dark && expected.add(`${x},${y}`)));
    const path = /<path fill="#000" d="([^"]*)"/.exec(svg)![1]!;
    expect(path.replace(/M(\d+) (\d+)h(\d+)v1h-\3z/g, '')).toBe('');
    expect(paintedModules(path)).toEqual(expected);
    expect(svg).toContain(`viewBox="0 0 ${size} ${size}"`);
    for (let i = 0; i < size; i++) expect(data[0]![i] || data[i]![0] || data[3]![i]).toBe(false);
  });

  it('keeps to attributes the pages CSP allows: no style, script, event handler or external reference', () => {
    const svg = renderQrSvg(URI);
    expect(svg).not.toMatch(/style|script|\son\w+=|href/i);
    expect(svg).toContain('fill="#000"');
  });

  it('names the image for assistive technology and escapes the label', () => {
    expect(renderQrSvg(URI)).toContain('role="img" aria-label="QR code"');
    expect(renderQrSvg(URI, { label: 'Scan "me" <now> & go' })).toContain(
      'aria-label="Scan &quot;me&quot; &lt;now&gt; &amp; go"',
    );
  });
});
