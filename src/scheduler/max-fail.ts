import { SshpoolError } from '../errors.js';
import type { FailLimit } from '../settings/values.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
import { INPUT_ORDER } from './policy.js';

export type { FailLimit } from '../settings/values.js';

/** The limit as the user wrote it, for messages. */
function describe(limit: FailLimit): string {
  return 'count' in limit ? String(limit.count) : `${limit.percent}%`;
}

/**
 * Ansible's `max_fail_percentage` (pdsh `-k` is a count of 0): once more than
 * `limit` hosts have failed, the verdict is stop with a `MAX_FAIL` error that
 * says the limit and how many failed: no host starts from then on, running
 * ones finish, the rest are recorded skipped. A count is of the whole run; a
 * percentage is of the current wave (a `batches` batch, as Ansible's is of the
 * `serial` batch; without batches, of every host). `failed` says which
 * outcomes count; `base` orders the hosts and judges each outcome first (its
 * retry or stop stands).
 */
export function maxFail<R>(limit: FailLimit, failed: (outcome: R) => boolean, base: SchedulePolicy<R> = INPUT_ORDER): SchedulePolicy<R> {
  let hostCount = 0;
  let failures = 0;
  let batch = { number: 0, size: 0, failures: 0 };
  // The scheduler asks for the next wave once the one before has finished, so a finished host is of the current one.
  function* tracked(waves: Iterable<readonly number[]>): Generator<readonly number[]> {
    for (const wave of waves) {
      batch = { number: batch.number + 1, size: wave.length, failures: 0 };
      yield wave;
    }
  }
  const exceeded = (): boolean => ('count' in limit ? failures > limit.count : batch.failures * 100 > limit.percent * batch.size);
  const counted = (): string => {
    if ('count' in limit) return `${failures} of ${hostCount} hosts failed`;
    return `${batch.failures} of ${batch.size} hosts ${batch.size === hostCount ? '' : `of batch ${batch.number} `}failed`;
  };
  const waveCount = base.waveCount?.bind(base);
  return {
    ...(waveCount ? { waveCount } : {}),
    waves(hosts: readonly ScheduledHost[]) {
      hostCount = hosts.length;
      return tracked(base.waves(hosts));
    },
    finished(host: ScheduledHost, outcome: R, attempt: number): Verdict {
      const verdict = base.finished(host, outcome, attempt);
      if (verdict.next !== 'continue' || !failed(outcome)) return verdict;
      failures += 1;
      batch.failures += 1;
      if (!exceeded()) return verdict;
      const message = `max-fail ${describe(limit)} exceeded: ${counted()} (the last ${host.label}); no further host started`;
      return { next: 'stop', reason: new SshpoolError('MAX_FAIL', message) };
    },
  };
}
