import type { HostOrder } from '../settings/values.js';
import type { SchedulePolicy, ScheduledHost } from './policy.js';
import { CONTINUE } from './policy.js';

export { HOST_ORDERS } from '../settings/values.js';
export type { HostOrder } from '../settings/values.js';

/** mulberry32: a small seeded generator, so that `shuffle` with the same seed gives the same order. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** By label in code-point order, as Python's sorted() orders Ansible's host names. */
function byLabel(a: ScheduledHost, b: ScheduledHost): number {
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

function startOrder(hosts: readonly ScheduledHost[], order: HostOrder, seed: number): number[] {
  const positions = hosts.map((host) => host.index);
  switch (order) {
    case 'inventory':
      return positions;
    case 'reverse_inventory':
      return positions.reverse();
    case 'sorted':
      return [...hosts].sort(byLabel).map((host) => host.index);
    case 'reverse_sorted':
      return [...hosts].sort(byLabel).reverse().map((host) => host.index);
    case 'shuffle': {
      // Fisher-Yates: every order equally likely, linear in hosts.
      const random = seededRandom(seed);
      for (let last = positions.length - 1; last > 0; last--) {
        const other = Math.floor(random() * (last + 1));
        [positions[last], positions[other]] = [positions[other] as number, positions[last] as number];
      }
      return positions;
    }
  }
}

/**
 * Every host in one wave, started in `order` (Ansible's `order`; `sorted` by
 * the host's label); never stops early, never retries. `shuffle` is the same
 * order for the same `seed` (a 32-bit integer).
 */
export function hostOrder<R>(order: HostOrder, seed = 0): SchedulePolicy<R> {
  return {
    waves: (hosts) => [startOrder(hosts, order, seed)],
    finished: () => CONTINUE,
  };
}
