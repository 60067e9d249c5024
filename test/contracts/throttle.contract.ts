// ThrottleStore (src/core/mail/throttle.ts): exact, atomic counts per key in a fixed window, and a reset.
import { expect } from 'vitest';
import { MINUTE, T0, setUp, uniqueName } from './fixtures';
import type { Contract } from './suite';

const window = { windowMs: MINUTE };

export const throttleStoreContract: Contract = ({ it }, open) => {
  it('counts each hit in the window', async () => {
    const { s } = await setUp(open);
    const key = uniqueName('mail');
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await s.throttle.hit(key, { now: T0 + i, ...window }));
    expect(counts).toEqual([1, 2, 3]);
  });

  it('starts again at 1 in the next window', async () => {
    const { s } = await setUp(open);
    const key = uniqueName('mail');
    await s.throttle.hit(key, { now: T0, ...window });
    expect(await s.throttle.hit(key, { now: T0 + MINUTE - 1, ...window })).toBe(2);
    expect(await s.throttle.hit(key, { now: T0 + MINUTE, ...window })).toBe(1);
    expect(await s.throttle.hit(key, { now: T0 + MINUTE + 1, ...window })).toBe(2);
  });

  it('counts fifty parallel hits as exactly fifty', async () => {
    const { s } = await setUp(open);
    const key = uniqueName('mail');
    const counts = await Promise.all(Array.from({ length: 50 }, () => s.throttle.hit(key, { now: T0, ...window })));
    expect(counts.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
  });

  it('keeps each key apart, and clears only the keys named', async () => {
    const { s } = await setUp(open);
    const [first, second, third] = [uniqueName('mail'), uniqueName('mail'), uniqueName('mail')];
    for (const key of [first, first, second, third]) await s.throttle.hit(key, { now: T0, ...window });
    await s.throttle.clear([first, second]);
    await s.throttle.clear([]);
    expect(await s.throttle.hit(first, { now: T0, ...window })).toBe(1);
    expect(await s.throttle.hit(second, { now: T0, ...window })).toBe(1);
    expect(await s.throttle.hit(third, { now: T0, ...window })).toBe(2);
  });
};
