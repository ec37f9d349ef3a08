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
 * `limit` hosts have failed (a count, or a percentage of the hosts `waves` was
 * given), the verdict is stop with a `MAX_FAIL` error that says the limit and
 * how many failed: no host starts from then on, running ones finish, the rest
 * are recorded skipped. `failed` says which outcomes count; `base` orders the
 * hosts and judges each outcome first (its retry or stop stands).
 */
export function maxFail<R>(limit: FailLimit, failed: (outcome: R) => boolean, base: SchedulePolicy<R> = INPUT_ORDER): SchedulePolicy<R> {
  let hostCount = 0;
  let failures = 0;
  const exceeded = (): boolean => ('count' in limit ? failures > limit.count : failures * 100 > limit.percent * hostCount);
  return {
    waves(hosts: readonly ScheduledHost[]) {
      hostCount = hosts.length;
      return base.waves(hosts);
    },
    finished(host: ScheduledHost, outcome: R, attempt: number): Verdict {
      const verdict = base.finished(host, outcome, attempt);
      if (verdict.next !== 'continue' || !failed(outcome)) return verdict;
      failures += 1;
      if (!exceeded()) return verdict;
      const message = `max-fail ${describe(limit)} exceeded: ${failures} of ${hostCount} hosts failed (the last ${host.label}); no further host started`;
      return { next: 'stop', reason: new SshpoolError('MAX_FAIL', message) };
    },
  };
}
