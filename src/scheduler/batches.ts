import type { BatchSize } from '../settings/values.js';
import type { SchedulePolicy, ScheduledHost } from './policy.js';
import { INPUT_ORDER } from './policy.js';

export type { BatchSize } from '../settings/values.js';

/** Ansible's serial: a percentage of the hosts, rounded down, but at least one host. */
function hostsIn(size: BatchSize, hostCount: number): number {
  return 'hosts' in size ? size.hosts : Math.max(1, Math.floor((size.percent * hostCount) / 100));
}

/** The hosts in `base`'s start order, cut into batches of `sizes` (the last repeating). */
function* cut(order: readonly number[], sizes: readonly BatchSize[]): Generator<number[]> {
  let start = 0;
  for (let batch = 0; start < order.length; batch++) {
    const size = hostsIn(sizes[Math.min(batch, sizes.length - 1)] as BatchSize, order.length);
    yield order.slice(start, start + size);
    start += size;
  }
}

/**
 * Ansible's `serial` (`1,5,20%`): rolling batches, each started once every
 * host of the one before has finished, cut from `base`'s start order; `sizes`
 * in turn, the last repeating; a percentage is of every host of the run
 * (rounded down, at least 1). `base` judges each outcome.
 */
export function batches<R>(sizes: readonly BatchSize[], base: SchedulePolicy<R> = INPUT_ORDER): SchedulePolicy<R> {
  if (sizes.length === 0) throw new RangeError('batches: at least one batch size');
  return {
    waves: (hosts: readonly ScheduledHost[]) => cut([...base.waves(hosts)].flat(), sizes),
    finished: (host, outcome, attempt) => base.finished(host, outcome, attempt),
  };
}
