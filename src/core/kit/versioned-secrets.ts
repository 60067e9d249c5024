// A secret that rotates: the current one at a version, and optionally the previous one at
// version - 1, kept so that what it protected stays readable until it is written again. The
// password pepper and the data encryption key rotate this way. Settings that would make stored
// data unreadable (a previous secret without a current one, or equal to it) throw at once.

export interface VersionedSecretSettings {
  current?: string;
  /** The current secret's version; 1 when unset. */
  version?: number;
  previous?: string;
}

/** The parsed secrets by version, or null when no secret is configured. */
export function readVersionedSecrets<T>(
  settings: VersionedSecretSettings,
  options: {
    /** What the secret is called in error messages, e.g. "pepper". */
    noun: string;
    /** Parses and checks one secret; throws, naming the setting and never the value, if it is unusable. */
    parse(secret: string, version: number, which: 'current' | 'previous'): T;
    same(a: T, b: T): boolean;
  },
): { version: number; current: T; byVersion: Map<number, T> } | null {
  const { current, version = 1, previous } = settings;
  if (current === undefined) {
    if (previous !== undefined) throw new RangeError(`a previous ${options.noun} needs a current one`);
    return null;
  }
  const currentSecret = options.parse(current, version, 'current');
  const byVersion = new Map([[version, currentSecret]]);
  if (previous !== undefined) {
    const previousSecret = options.parse(previous, version - 1, 'previous');
    if (options.same(previousSecret, currentSecret)) {
      throw new RangeError(`the previous ${options.noun} must differ from the current one`);
    }
    byVersion.set(version - 1, previousSecret);
  }
  return { version, current: currentSecret, byVersion };
}
