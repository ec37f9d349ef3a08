import { randomInt } from 'node:crypto';
import { failedBeforeCommand, hostFailed } from '../../run/host-result.js';
import type { HostResult } from '../../run/host-result.js';
import { batches, hostOrder, maxFail, retries } from '../../scheduler/index.js';
import type { HostOrder, SchedulePolicy } from '../../scheduler/index.js';
import { settingValue } from '../../settings/resolve.js';
import type { EffectiveSettings } from '../../settings/resolve.js';
import type { CliIo } from '../cli.js';

/**
 * The run's SchedulePolicy from --order, --seed, --retries, --retry-delay, --batch and --max-fail. A shuffle
 * without --seed draws one and says it on stderr, so that the run can be repeated.
 */
export function toSchedulePolicy(settings: EffectiveSettings, io: Pick<CliIo, 'stderr'>): SchedulePolicy<HostResult[]> {
  const order = settingValue(settings, 'order') as HostOrder;
  let seed = settingValue(settings, 'seed');
  if (order === 'shuffle' && seed === undefined) {
    seed = randomInt(2 ** 31);
    io.stderr.write(`sshpool: warning: --order shuffle with seed ${seed} (--seed ${seed} repeats this order)\n`);
  }
  const ordered = hostOrder<HostResult[]>(order, seed);
  const retryCount = settingValue(settings, 'retries') as number;
  // Innermost, so that batches and max-fail count a host once, by its final attempt.
  const retried = retryCount === 0 ? ordered : retries({ retries: retryCount, delayMs: settingValue(settings, 'retry-delay') as number, retryable: failedBeforeCommand }, ordered);
  const sizes = settingValue(settings, 'batch');
  const batched = sizes === undefined ? retried : batches(sizes, retried, hostFailed);
  const limit = settingValue(settings, 'max-fail');
  return limit === undefined ? batched : maxFail(limit, hostFailed, batched);
}
