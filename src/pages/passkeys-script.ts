// The one script of the pages: a small ES module, served from this worker (CSP `script-src 'self'`
// on /signin and /account only), that runs the passkey ceremonies against the JSON API. Without
// it, without WebAuthn, or at an address where the browser refuses passkeys (an IP address, a host
// outside the RP ID), the passkey controls stay hidden and the password forms work as ever. What
// goes wrong after a click is said in plain words, never in the browser's own message.
import { Hono } from 'hono';

export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';

/**
 * Whether a page at `hostname` can use passkeys scoped to `rpId`. A browser refuses (SecurityError,
 * "This is an invalid domain.") unless the RP ID is the page's host or a domain it is under
 * (WebAuthn §5.1.3), and an IP address never qualifies. Unknown RP ID: only the IP rule applies.
 * Runs in the browser too (its source is copied into the script), so it refers to nothing else.
 */
export function passkeysWorkAt(hostname: string, rpId?: string): boolean {
  const host = hostname.toLowerCase();
  // IPv4, or IPv6 (location.hostname keeps its brackets).
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return false;
  return !rpId || host === rpId || host.endsWith('.' + rpId);
}

const script = String.raw`
const PKC = window.PublicKeyCredential;
const passkeysWorkAt = ${passkeysWorkAt.toString()};
const usableIn = (element) => Boolean(element && PKC) && passkeysWorkAt(location.hostname, element.dataset.rpId);
const bytes = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')), (ch) => ch.charCodeAt(0));
const text = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const described = (list) => list.map((item) => ({ ...item, id: bytes(item.id) }));

function creationOptions(json) {
  if (PKC.parseCreationOptionsFromJSON) return PKC.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: bytes(json.challenge), user: { ...json.user, id: bytes(json.user.id) }, excludeCredentials: described(json.excludeCredentials) };
}

function requestOptions(json) {
  if (PKC.parseRequestOptionsFromJSON) return PKC.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: bytes(json.challenge), allowCredentials: described(json.allowCredentials) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: text(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = text(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = text(r.authenticatorData);
    response.signature = text(r.signature);
    response.userHandle = r.userHandle ? text(r.userHandle) : null;
  }
  return { id: credential.id, rawId: text(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment ?? null, clientExtensionResults: credential.getClientExtensionResults() };
}

/** A refusal from Latchkey's API: its detail is already written for people. */
class ApiError extends Error {}

async function api(path, body, retried = false) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  // The access cookie lives minutes; the page may outlive it. The refresh cookie renews it once.
  if (response.status === 401 && !retried && path.includes('/registration/')) {
    const refreshed = await fetch('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'same-origin' });
    if (refreshed.ok) return api(path, body, true);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(answer.detail || 'Something went wrong. Try again.');
  return answer;
}

// What a browser's WebAuthn errors mean here, in plain words. Browsers' own messages ("This is an
// invalid domain.") are for developers and are never shown.
const BROWSER_ERRORS = {
  NotAllowedError: 'The passkey request was cancelled or timed out. Try again, or use your password.',
  SecurityError: 'Passkeys cannot be used at this address. Open this site at its usual address, or use your password.',
  NotSupportedError: 'This browser or device cannot use passkeys here. Use your password instead.',
  ConstraintError: 'This device cannot make a passkey that checks who you are (a screen lock or PIN). Try another device.',
};

function report(status, error, alreadyRegistered) {
  if (error?.name === 'AbortError') status.textContent = '';
  else if (error instanceof ApiError) status.textContent = error.message;
  else if (error?.name === 'InvalidStateError' && alreadyRegistered) status.textContent = alreadyRegistered;
  else status.textContent = BROWSER_ERRORS[error?.name] || 'Something went wrong with the passkey. Try again, or use your password.';
}

const signIn = document.querySelector('[data-passkey-signin]');
if (usableIn(signIn)) {
  signIn.hidden = false;
  const status = signIn.querySelector('[data-passkey-status]');
  const next = signIn.dataset.redirect || '/account';
  let pending;
  // A passkey, asked for by a click or offered in the username field's autofill.
  const choose = async (mediation) => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const { challengeId, options } = await api('/auth/passkeys/authentication/options', {});
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options), signal: controller.signal, ...(mediation ? { mediation } : {}) });
    return { challengeId, credential };
  };
  const finish = async ({ challengeId, credential }) => {
    status.textContent = 'Signing in…';
    await api('/auth/passkeys/authentication/verify', { challengeId, credential: credentialJSON(credential) });
    location.assign(next);
  };
  signIn.querySelector('button').addEventListener('click', () => choose().then(finish).catch((error) => report(status, error)));
  // Nobody asked for the autofill request, so it stays quiet until a passkey is picked from it.
  PKC.isConditionalMediationAvailable?.().then((available) => {
    if (available) choose('conditional').then((chosen) => finish(chosen).catch((error) => report(status, error)), () => {});
  });
}

const add = document.querySelector('[data-passkey-add]');
if (usableIn(add)) {
  add.hidden = false;
  const status = add.querySelector('[data-passkey-status]');
  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(add);
    const name = String(form.get('name') || '').trim();
    try {
      status.textContent = '';
      // With two-step sign-in on, the form has a code field and the API asks for it.
      const code = String(form.get('code') || '').trim();
      const proof = { password: String(form.get('password') || ''), ...(code ? { code } : {}) };
      const { challengeId, options } = await api('/auth/passkeys/registration/options', proof);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      await api('/auth/passkeys/registration/verify', { challengeId, credential: credentialJSON(credential), ...(name ? { name } : {}) });
      location.assign('/account?notice=passkey-added');
    } catch (error) {
      report(status, error, 'This device already holds a passkey for your account.');
    }
  });
}
`.trim();

export const passkeyScriptRoutes = new Hono().get(PASSKEY_SCRIPT_PATH, (c) =>
  c.body(script, 200, {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  }),
);
