import { SshpoolError } from '../errors.js';
import type { BatchSize } from '../settings/values.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
import { INPUT_ORDER } from './policy.js';

export type { BatchSize } from '../settings/values.js';

/** Ansible's serial: a percentage of the hosts, rounded down, but at least one host. */
function hostsIn(size: BatchSize, hostCount: number): number {
  return 'hosts' in size ? size.hosts : Math.max(1, Math.floor((size.percent * hostCount) / 100));
}

/** The size of each batch for `hostCount` hosts: `sizes` in turn, the last repeating, the last batch what is left. */
function* batchSizes(sizes: readonly BatchSize[], hostCount: number): Generator<number> {
  for (let batch = 0, start = 0; start < hostCount; batch++) {
    const size = Math.min(hostCount - start, hostsIn(sizes[Math.min(batch, sizes.length - 1)] as BatchSize, hostCount));
    yield size;
    start += size;
  }
}

/**
 * Ansible's `serial` (`1,5,20%`): rolling batches, each started once every
 * host of the one before has finished, cut from `base`'s start order; `sizes`
 * in turn, the last repeating; a percentage is of every host of the run
 * (rounded down, at least 1). `base` judges each outcome first. With `failed`,
 * a batch whose every host failed ends the run as Ansible ends the play: no
 * later batch starts, its hosts are skipped with `BATCH_FAILED`.
 */
export function batches<R>(sizes: readonly BatchSize[], base: SchedulePolicy<R> = INPUT_ORDER, failed?: (outcome: R) => boolean): SchedulePolicy<R> {
  if (sizes.length === 0) throw new RangeError('batches: at least one batch size');
  let batch = { number: 0, size: 0, ended: 0, failures: 0, last: true };
  // The scheduler asks for the next batch once the one before has finished, so a finished host is of the current one.
  function* cut(order: readonly number[]): Generator<number[]> {
    let start = 0;
    for (const size of batchSizes(sizes, order.length)) {
      batch = { number: batch.number + 1, size, ended: 0, failures: 0, last: start + size >= order.length };
      yield order.slice(start, start + size);
      start += size;
    }
  }
  const wholeBatchFailed = (host: ScheduledHost): Verdict => {
    const message = `all ${batch.size} hosts of batch ${batch.number} failed (the last ${host.label}); no later batch started, as Ansible ends the play`;
    return { next: 'stop', reason: new SshpoolError('BATCH_FAILED', message) };
  };
  return {
    waves: (hosts: readonly ScheduledHost[]) => cut([...base.waves(hosts)].flat()),
    waveCount: (count: number) => [...batchSizes(sizes, count)].length,
    finished(host, outcome, attempt) {
      const verdict = base.finished(host, outcome, attempt);
      if (verdict.next !== 'continue' || !failed) return verdict;
      batch.ended += 1;
      if (failed(outcome)) batch.failures += 1;
      return batch.ended === batch.size && batch.failures === batch.size && !batch.last ? wholeBatchFailed(host) : verdict;
    },
  };
}
