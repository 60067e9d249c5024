// QR codes as inline SVG for the TOTP set-up page. The markup uses only presentation attributes
// (fill, shape-rendering), never style= or script, so it renders under the pages' strict CSP.
// Encoding is uqr's (MIT, no dependencies); the drawing is here so the path is compact (one
// rectangle per run of dark modules) and the element carries an accessible name.
import { encode } from 'uqr';

/** The quiet zone ISO/IEC 18004 asks around the symbol, in modules; drawn white, so dark themes scan too. */
const QUIET_ZONE = 4;
/** CSS pixels per module for the default width and height; the page may resize it. */
const PIXELS_PER_MODULE = 4;

function escapeAttribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Renders `text` (an otpauth:// URI) as a standalone `<svg>` element, error correction level M.
 * `label` becomes its accessible name (role="img").
 */
export function renderQrSvg(text: string, options: { label?: string } = {}): string {
  const { size, data } = encode(text, { ecc: 'M', border: QUIET_ZONE });
  let path = '';
  for (const [y, row] of data.entries()) {
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      const start = x;
      while (row[x + 1]) x++;
      path += `M${start} ${y}h${x - start + 1}v1h-${x - start + 1}z`;
    }
  }
  const pixels = size * PIXELS_PER_MODULE;
  const label = escapeAttribute(options.label ?? 'QR code');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${pixels}" height="${pixels}"` +
    ` role="img" aria-label="${label}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
