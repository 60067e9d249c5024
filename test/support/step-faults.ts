// Fails the storage steps of one request by their order, across D1 and KV together: record a
// flow's steps once, then fail step 1..N in turn. Built on faultyD1 and faultyKv; the plan is
// switched between requests, so the setup and the client's retry run against healthy storage.
import type { StorageBindings } from '../../src/services';
import { type D1Call, type KvCall, faultyD1, faultyKv } from './faults';

/** How a step fails: once (a blip), from there on (an outage), or after it landed (a lost answer). */
export type FaultMode = 'blip' | 'outage' | 'lost';

export interface StorageStep {
  binding: 'd1' | 'kv';
  label: string;
}

function d1Label(call: D1Call): string {
  const tables = call.sql.map((sql) => {
    const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
    const table = /\b(?:from|into|update)\s+["`]?(\w+)/i.exec(sql)?.[1] ?? '?';
    return `${verb} ${table}`;
  });
  return call.operation === 'batch' ? `D1 batch(${tables.join(', ')})` : `D1 ${tables[0]}`;
}

function kvLabel(call: KvCall): string {
  return `KV ${call.operation} ${call.key.split(':').slice(0, 2).join(':')}`;
}

export function stepFaults() {
  let plan: { mode: FaultMode; step: number } | null = null;
  let steps: StorageStep[] = [];
  let recording = false;
  let lastFails = false;

  function decide(step: StorageStep): boolean {
    if (!recording) return false;
    steps.push(step);
    const index = steps.length;
    lastFails = plan !== null && (plan.mode === 'outage' ? index >= plan.step : index === plan.step);
    return lastFails;
  }

  // A lost answer lets the call through first (faults.ts `afterCall`), so it needs its own fault.
  const after = () => lastFails && plan?.mode === 'lost';

  return {
    wrapStorage(bindings: StorageBindings): StorageBindings {
      const d1 = faultyD1(bindings.db, [
        { match: (call) => decide({ binding: 'd1', label: d1Label(call) }) && plan?.mode !== 'lost' },
        { match: () => after(), afterCall: true },
      ]);
      const kv = faultyKv(bindings.kv, [
        { match: (call) => decide({ binding: 'kv', label: kvLabel(call) }) && plan?.mode !== 'lost' },
        { match: () => after(), afterCall: true },
      ]);
      return { db: d1.db, kv: kv.kv };
    },
    /** Records the steps of the requests that follow, failing one as planned (none by default). */
    arm(next: { mode: FaultMode; step: number } | null = null) {
      plan = next;
      steps = [];
      recording = true;
    },
    /** Back to healthy storage; returns the steps seen while armed. */
    disarm(): StorageStep[] {
      recording = false;
      plan = null;
      return steps;
    },
  };
}
