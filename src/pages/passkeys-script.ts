// The one script of the pages: a small ES module, served from this worker (CSP `script-src 'self'`
// on /signin and /account only), that runs the passkey ceremonies against the JSON API. Without
// it, or without WebAuthn, the passkey controls stay hidden and the password forms work as ever.
import { Hono } from 'hono';

export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';

const script = String.raw`
const PKC = window.PublicKeyCredential;
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

async function api(path, body, retried = false) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  // The access cookie lives minutes; the page may outlive it. The refresh cookie renews it once.
  if (response.status === 401 && !retried && path.includes('/registration/')) {
    const refreshed = await fetch('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'same-origin' });
    if (refreshed.ok) return api(path, body, true);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail || 'Something went wrong. Try again.');
  return answer;
}

function report(status, error) {
  if (error && (error.name === 'AbortError' || error.name === 'NotAllowedError')) {
    status.textContent = error.name === 'NotAllowedError' ? 'The passkey request was cancelled or timed out.' : '';
  } else status.textContent = (error && error.message) || 'Something went wrong. Try again.';
}

const signIn = document.querySelector('[data-passkey-signin]');
if (signIn && PKC) {
  signIn.hidden = false;
  const status = signIn.querySelector('[data-passkey-status]');
  const next = signIn.dataset.redirect || '/account';
  let pending;
  const run = async (mediation) => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const { challengeId, options } = await api('/auth/passkeys/authentication/options', {});
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options), signal: controller.signal, ...(mediation ? { mediation } : {}) });
    status.textContent = 'Signing in…';
    await api('/auth/passkeys/authentication/verify', { challengeId, credential: credentialJSON(credential) });
    location.assign(next);
  };
  signIn.querySelector('button').addEventListener('click', () => run().catch((error) => report(status, error)));
  // Offer passkeys in the username field's autofill too, where the browser supports it.
  PKC.isConditionalMediationAvailable?.().then((available) => {
    if (available) run('conditional').catch((error) => error.name === 'AbortError' || report(status, error));
  });
}

const add = document.querySelector('[data-passkey-add]');
if (add && PKC) {
  add.hidden = false;
  const status = add.querySelector('[data-passkey-status]');
  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(add);
    const name = String(form.get('name') || '').trim();
    try {
      status.textContent = '';
      const { challengeId, options } = await api('/auth/passkeys/registration/options', { password: String(form.get('password') || '') });
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      await api('/auth/passkeys/registration/verify', { challengeId, credential: credentialJSON(credential), ...(name ? { name } : {}) });
      location.assign('/account?notice=passkey-added');
    } catch (error) {
      report(status, error);
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
