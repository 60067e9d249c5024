// The shared page frame and form parts. Every field ties its hint and error to the input with
// aria-describedby, so a screen reader reads the error when the field gets focus.
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../web/form-csrf';
import { usePageFrame } from './render';
import { STYLESHEET_PATH } from './styles';

type LayoutProps = { appName?: string; title: string; children: Child; signedIn?: boolean; wide?: boolean };

/**
 * Every page. The doctype comes first: without it browsers render in quirks mode, whose box
 * sizes and line heights differ from the standards the stylesheet is written for.
 */
export function Layout(props: LayoutProps) {
  const appName = props.appName ?? usePageFrame().appName;
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <Document {...props} appName={appName} />
    </>
  );
}

function Document(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${props.appName}`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
      </head>
      <body>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <header class="site">
          <div class={props.wide ? 'site-inner' : 'site-inner is-narrow'}>
            <a class="brand" href={props.signedIn ? '/account' : '/signin'}>
              {props.appName}
            </a>
          </div>
        </header>
        <main id="content">
          <div class={props.wide ? '' : 'narrow'}>{props.children}</div>
        </main>
      </body>
    </html>
  );
}

export function Card(props: { title?: string; heading?: 'h1' | 'h2'; children: Child; labelledBy?: string }) {
  const Heading = props.heading ?? 'h1';
  const id = props.labelledBy;
  return (
    <section class="card" aria-labelledby={id}>
      {props.title ? <Heading id={id}>{props.title}</Heading> : null}
      {props.children}
    </section>
  );
}

/** The double-submit token of the page being rendered (see web/form-csrf.ts). */
export function CsrfField() {
  return <input type="hidden" name={CSRF_FIELD} value={usePageFrame().csrfToken} />;
}

/**
 * One row of an /account list (a session, a connected account, a connected app): what it is, a
 * line about it, and one button that posts the row's id to `action` under `field`.
 */
export function ActionRow(props: {
  title: Child;
  meta: Child;
  action: string;
  field: string;
  value: string;
  button: string;
  label: string;
}) {
  return (
    <li class="session">
      <div>
        <div>{props.title}</div>
        <div class="session-meta">{props.meta}</div>
      </div>
      <form method="post" action={props.action} class="inline">
        <CsrfField />
        <input type="hidden" name={props.field} value={props.value} />
        <button type="submit" class="secondary" aria-label={props.label}>
          {props.button}
        </button>
      </form>
    </li>
  );
}

export function Alert(props: { kind: 'error' | 'ok'; children: Child }) {
  // role=alert makes a screen reader announce a failed submission; success is a polite status.
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  error?: string | undefined;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  minlength?: number;
  maxlength?: number;
  /** Distinguishes two forms on one page that have a field of the same name. */
  idPrefix?: string;
}

export function Field(props: FieldProps) {
  const id = `${props.idPrefix ?? 'field'}-${props.name}`;
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        required={props.required ?? true}
        autofocus={props.autofocus}
        minlength={props.minlength}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
        autocapitalize={props.type === 'password' ? undefined : 'none'}
        spellcheck={false}
      />
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
