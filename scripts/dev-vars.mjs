// The development settings file both `npm run dev` and `npm run dev:deno` read: .dev.vars, written
// with fresh development keys when it is missing (or lacks a setting), never overwritten.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateDataEncryptionKey } from './generate-data-key.mjs';
import { generateSigningJwk } from './generate-jwk.mjs';
import { generateRsaSigningJwk } from './generate-rsa-jwk.mjs';

export const devVarsPath = '.dev.vars';

export async function ensureDevVars() {
  const existing = existsSync(devVarsPath) ? readFileSync(devVarsPath, 'utf8') : '';
  const has = (name) => new RegExp(`^${name}\\s*=`, 'm').test(existing);
  const additions = [];
  if (!has('ENVIRONMENT')) additions.push('ENVIRONMENT="development"');
  if (!has('MAIL_PROVIDER')) additions.push('MAIL_PROVIDER="console"');
  if (!has('JWT_PRIVATE_JWK')) additions.push(`JWT_PRIVATE_JWK='${JSON.stringify(await generateSigningJwk())}'`);
  // The OpenID Provider's ID-token key (docs/openid-provider.md).
  if (!has('OIDC_RSA_PRIVATE_JWK')) {
    additions.push(`OIDC_RSA_PRIVATE_JWK='${JSON.stringify(await generateRsaSigningJwk())}'`);
  }
  if (!has('DATA_ENCRYPTION_KEY')) additions.push(`DATA_ENCRYPTION_KEY="${generateDataEncryptionKey()}"`);
  if (additions.length === 0) return;
  const header = existing
    ? ''
    : '# Local development settings and secrets, made by `npm run dev`. Never commit this file.\n';
  writeFileSync(
    devVarsPath,
    `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${header}${additions.join('\n')}\n`,
    {
      mode: 0o600,
    },
  );
  console.log(`latchkey: wrote ${additions.length} development setting(s) to ${devVarsPath}`);
}

/** The settings in .dev.vars (NAME="value" or NAME='value' lines), for a runtime that does not read it. */
export function readDevVars() {
  const settings = {};
  for (const line of readFileSync(devVarsPath, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, name, raw] = match;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    settings[name] = quoted ? quoted[2] : raw;
  }
  return settings;
}
