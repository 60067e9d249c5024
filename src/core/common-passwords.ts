// The bundled list of common passwords (NIST SP 800-63B: refuse values known to be commonly used).
// An attacker tries these first, so no hashing cost saves an account that uses one. The list is
// decoded into a Set on first use, once per isolate, so a worker that never checks a password
// never pays for it.
import { commonPasswordsFrontCoded } from './common-passwords.data';

let commonPasswords: ReadonlySet<string> | undefined;

/** Expands the front-coded list: each line is a base-36 shared-prefix length, then the rest. */
export function decodeCommonPasswords(frontCoded: string): Set<string> {
  const entries = new Set<string>();
  let previous = '';
  for (const line of frontCoded.split('\n')) {
    if (line === '') continue;
    const shared = Number.parseInt(line[0]!, 36);
    previous = previous.slice(0, shared) + line.slice(1);
    entries.add(previous);
  }
  return entries;
}

export function listCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= decodeCommonPasswords(commonPasswordsFrontCoded);
  return commonPasswords;
}

/** Case-insensitive, on the NFC form, like the stored list. */
export function isCommonPassword(password: string): boolean {
  return listCommonPasswords().has(password.normalize('NFC').toLowerCase());
}
