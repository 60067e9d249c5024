// The development mailbox as a page: captured messages, newest first, with their links
// clickable. Only the plain-text part is shown, with http(s) URLs turned into links; the mail's
// HTML is never rendered.
import type { Child } from 'hono/jsx';
import type { CapturedMail } from '../mail/console-mailer';
import { Card, Layout } from './layout';

const urlPattern = /https?:\/\/[^\s<>"]+/g;

function linkify(text: string): Child[] {
  const parts: Child[] = [];
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    parts.push(text.slice(last, match.index));
    parts.push(<a href={match[0]}>{match[0]}</a>);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

export function MailboxPage(props: { appName: string; messages: CapturedMail[] }) {
  return (
    <Layout appName={props.appName} title="Development mailbox" wide>
      <Card title="Development mailbox">
        <p class="hint">Mail captured by the console mailer, newest first. Development only.</p>
        {props.messages.length === 0 ? <p>No mail yet.</p> : null}
        {props.messages.map((message) => (
          <article class="mail">
            <h2>{message.subject}</h2>
            <div class="session-meta">
              To {message.to} · {message.sentAt.slice(0, 19).replace('T', ' ')} UTC
            </div>
            <pre>{linkify(message.text)}</pre>
          </article>
        ))}
      </Card>
    </Layout>
  );
}

// True when the request's Accept ranks text/html above JSON; curl's "*/*" and API clients get JSON.
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const quality = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    quality.set(type.trim(), Number.isFinite(value) ? value : 0);
  }
  const html = quality.get('text/html') ?? quality.get('text/*') ?? 0;
  const json = quality.get('application/json') ?? quality.get('application/*') ?? quality.get('*/*') ?? 0;
  return html > json;
}
