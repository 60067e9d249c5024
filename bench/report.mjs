// The printed table, the steering ratios with their goals, and the SVG chart of those ratios.
// The SVG is written by hand: one horizontal bar per ratio on its own scale, goal lines on top.

const pad = (value, width, right = false) => (right ? String(value).padStart(width) : String(value).padEnd(width));
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The table; `trips` (row id -> counted round trips) adds the D1 round-trip column. */
export function formatTable(rows, trips = {}) {
  const header = ['row', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'D1 trips'];
  const widths = [44, 5, 9, 8, 8, 9, 12];
  const lines = [header.map((cell, i) => pad(cell, widths[i], i > 0)).join('  ')];
  lines.push(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) {
    const counted = trips[row.id];
    const tripCell = counted ? `${counted.total}${counted.goal === undefined ? '' : ` (goal ${counted.goal})`}` : '';
    const cells = [
      row.label,
      row.connections,
      fixed(row.reqPerSec, 0),
      fixed(row.p50Ms, 2),
      fixed(row.p99Ms, 2),
      row.requests,
      tripCell,
    ];
    lines.push(cells.map((cell, i) => pad(cell, widths[i], i > 0)).join('  '));
  }
  return lines.join('\n');
}

/** Per-route p50 with a far primary, one column per SESSION_READS mode. */
export function formatSimulation(rttMs, byMode) {
  const modes = Object.keys(byMode);
  const header = ['row', ...modes.map((mode) => `${mode} p50 ms`)];
  const widths = [44, ...modes.map(() => 16)];
  const lines = [
    `Far primary: every D1 round trip to the primary delayed by ${rttMs} ms, replica reads by 0 ms (SESSION_READS modes)`,
    header.map((cell, i) => pad(cell, widths[i], i > 0)).join('  '),
    widths.map((width) => '-'.repeat(width)).join('  '),
  ];
  for (const [index, row] of byMode[modes[0]].entries()) {
    const cells = [row.label, ...modes.map((mode) => fixed(byMode[mode][index].p50Ms, 1))];
    lines.push(cells.map((cell, i) => pad(cell, widths[i], i > 0)).join('  '));
  }
  return lines.join('\n');
}

/** Each goal is [min, max]; either end may be null. */
export function judge(value, [min, max]) {
  if (!Number.isFinite(value)) return 'MISS';
  return (min === null || value >= min) && (max === null || value <= max) ? 'pass' : 'MISS';
}

export function goalText([min, max], unit = '') {
  if (min !== null && max !== null) return `${min} to ${max}${unit}`;
  if (max !== null) return `<= ${max}${unit}`;
  if (min !== null) return `>= ${min}${unit}`;
  return '(context only)';
}

export function formatRatios(ratios) {
  const lines = [];
  for (const ratio of ratios) {
    const mark = ratio.goal[0] === null && ratio.goal[1] === null ? '' : judge(ratio.value, ratio.goal);
    lines.push(
      `${pad(ratio.label, 52)} ${pad(fixed(ratio.value, 2) + (ratio.unit ?? ''), 10, true)}   goal ${pad(goalText(ratio.goal, ratio.unit ?? ''), 16)} ${mark}`,
    );
  }
  return lines.join('\n');
}

const escapeXml = (text) =>
  text.replace(/[<>&"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[char]);

export function ratiosSvg(ratios, subtitle) {
  const rowHeight = 46;
  const left = 330;
  const barWidth = 380;
  const top = 54;
  const width = left + barWidth + 110;
  const height = top + ratios.length * rowHeight + 20;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">Latchkey benchmark: steering ratios</text>`,
    `<text x="12" y="40" fill="#555">${escapeXml(subtitle)}</text>`,
  ];
  ratios.forEach((ratio, index) => {
    const y = top + index * rowHeight;
    const [min, max] = ratio.goal;
    const scaleMax = Math.max(ratio.value || 0, max ?? 0, min ?? 0) * 1.25 || 1;
    const x = (value) => left + (value / scaleMax) * barWidth;
    const hasGoal = min !== null || max !== null;
    const colour = !hasGoal ? '#8a8a8a' : judge(ratio.value, ratio.goal) === 'pass' ? '#2e8b57' : '#c0392b';
    parts.push(`<text x="12" y="${y + 17}">${escapeXml(ratio.label)}</text>`);
    parts.push(
      `<text x="12" y="${y + 32}" fill="#777" font-size="11">goal ${escapeXml(goalText(ratio.goal, ratio.unit ?? ''))}</text>`,
    );
    parts.push(`<rect x="${left}" y="${y + 6}" width="${barWidth}" height="24" fill="#f2f2f2"/>`);
    if (Number.isFinite(ratio.value)) {
      parts.push(
        `<rect x="${left}" y="${y + 6}" width="${(x(ratio.value) - left).toFixed(1)}" height="24" fill="${colour}"/>`,
      );
    }
    for (const goal of [min, max]) {
      if (goal === null) continue;
      parts.push(
        `<line x1="${x(goal).toFixed(1)}" x2="${x(goal).toFixed(1)}" y1="${y + 1}" y2="${y + 35}" stroke="#111" stroke-width="2" stroke-dasharray="4 2"/>`,
      );
    }
    const label = `${fixed(ratio.value, 2)}${ratio.unit ?? ''}${hasGoal ? ` ${judge(ratio.value, ratio.goal)}` : ''}`;
    parts.push(`<text x="${left + barWidth + 8}" y="${y + 23}">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
