/** Time as milliseconds since the epoch. Injected so tests control expiry without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
