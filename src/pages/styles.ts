// The one stylesheet of the pages, served from the worker (GET /assets/latchkey.css) so the CSP
// can forbid inline styles. Text colours keep at least 4.5:1 contrast against their backgrounds;
// the focus ring keeps at least 3:1 against every background it can be drawn on (WCAG 1.4.11).
import { Hono } from 'hono';

export const STYLESHEET_PATH = '/assets/latchkey.css';

const css = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4b5563; --line: #c9ced6; --bg: #f3f4f6;
  --card: #ffffff; --accent: #1d4ed8; --accent-dark: #1e3a8a; --error: #b42318; --error-bg: #fdecea;
  --ok: #166534; --ok-bg: #e7f6ec; --focus: #cc5500; }
* { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { color: var(--accent-dark); }
/* Focus ring #cc5500 (WCAG contrast ratios): 4.31:1 on the card #ffffff, 3.92:1 on the page #f3f4f6,
   3.84:1 on the header #1b1f24, 3.77:1 on the error alert #fdecea, 3.86:1 on the success alert
   #e7f6ec. The former #f59e0b had 2.15:1 on the card and 1.95:1 on the page. The 2px offset puts
   the ring on the background, not on the button it surrounds. */
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0.5rem; background: var(--card); padding: 0.5rem 1rem; }
.skip:focus { left: 0.5rem; }
.site { background: var(--ink); color: #fff; }
.site-inner { max-width: 40rem; margin: 0 auto; padding: 0.75rem 1rem; display: flex;
  align-items: center; justify-content: space-between; gap: 1rem; }
.site-inner.is-narrow { max-width: 28rem; }
.brand { color: #fff; font-weight: 700; font-size: 1.125rem; text-decoration: none; letter-spacing: 0.01em; }
.brand:hover { color: #fff; text-decoration: underline; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 0.75rem; padding: 1.5rem;
  box-shadow: 0 1px 2px rgba(0,0,0,0.05); }
.card + .card { margin-top: 1.25rem; }
.narrow { max-width: 26rem; margin-left: auto; margin-right: auto; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.75rem; }
p { margin: 0 0 1rem; }
.field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input[type=text], input[type=email], input[type=password] { width: 100%; font: inherit; padding: 0.625rem 0.75rem;
  border: 1px solid #6b7280; border-radius: 0.5rem; background: #fff; color: var(--ink); }
input[aria-invalid=true] { border-color: var(--error); border-width: 2px; }
.hint { color: var(--muted); font-size: 0.875rem; margin: 0.25rem 0 0; }
.card > .hint { margin: -0.25rem 0 1rem; }
.error { color: var(--error); font-size: 0.9375rem; font-weight: 600; margin: 0.25rem 0 0; }
button { font: inherit; font-weight: 600; cursor: pointer; border-radius: 0.5rem; padding: 0.625rem 1.125rem;
  border: 1px solid var(--accent); background: var(--accent); color: #fff; min-height: 2.75rem; }
button:hover { background: var(--accent-dark); border-color: var(--accent-dark); }
button.secondary { background: #fff; color: var(--accent); }
button.secondary:hover { background: #eef2ff; color: var(--accent-dark); }
button.wide { width: 100%; }
a.provider { display: block; text-align: center; font-weight: 600; border-radius: 0.5rem; padding: 0.625rem 1.125rem;
  border: 1px solid var(--accent); color: var(--accent); background: #fff; margin: 0.75rem 0 0; text-decoration: none; }
a.provider:hover { background: #eef2ff; color: var(--accent-dark); }
button.danger { background: var(--error); border-color: var(--error); }
button.danger:hover { background: #7f1d1d; border-color: #7f1d1d; }
.alert { border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.alert-error { background: var(--error-bg); color: var(--error); border-color: #f3b8b1; }
.alert-ok { background: var(--ok-bg); color: var(--ok); border-color: #a7d8b5; }
.links { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1rem; margin: 1rem 0 0; font-size: 0.9375rem; }
.inline { display: inline; margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.375rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.session, .passkey, .activity { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem;
  padding: 0.75rem 0; border-top: 1px solid var(--line); }
.session > div, .passkey > div, .activity > div { flex: 1 1 14rem; min-width: 0; }
.session:first-child, .passkey:first-child, .activity:first-child { border-top: 0; padding-top: 0; }
.passkey details { margin-top: 0.5rem; } .passkey summary { cursor: pointer; }
[data-passkey-signin] { margin-top: 1rem; }
.session-meta { color: var(--muted); font-size: 0.875rem; }
.badge { display: inline-block; background: var(--ok-bg); color: var(--ok); font-size: 0.75rem; font-weight: 700;
  border-radius: 999px; padding: 0.125rem 0.5rem; margin-left: 0.375rem; vertical-align: middle; }
.mail { border-top: 1px solid var(--line); padding: 1rem 0; }
.mail:first-of-type { border-top: 0; padding-top: 0; }
.mail h2 { margin-bottom: 0.25rem; }
.mail pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 0.9375rem/1.5 ui-monospace, SFMono-Regular, Menlo, monospace;
  background: var(--bg); padding: 0.75rem; border-radius: 0.5rem; margin: 0.5rem 0 0; }
.qr svg { display: block; max-width: 100%; height: auto; margin: 0.5rem 0; }
ol.recovery-codes { columns: 2; font: 0.9375rem/1.75 ui-monospace, SFMono-Regular, Menlo, monospace; }
footer { max-width: 40rem; margin: 0 auto; padding: 0 1rem 2rem; color: var(--muted); font-size: 0.875rem; text-align: center; }
@media (max-width: 30rem) { .card { padding: 1.125rem; border-radius: 0.5rem; } h1 { font-size: 1.375rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0; } dl.facts dd { margin-bottom: 0.5rem; } }
`.trim();

export const styleRoutes = new Hono().get(STYLESHEET_PATH, (c) =>
  c.body(css, 200, {
    'content-type': 'text/css; charset=utf-8',
    // Not immutable: the URL is not fingerprinted, so a deploy must be picked up within the hour.
    'cache-control': 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  }),
);
