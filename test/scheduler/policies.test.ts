import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { batches, CONTINUE, hostOrder, maxFail } from '../../src/scheduler/index.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from '../../src/scheduler/index.js';
import { parseBatchSizes, parseFailLimit } from '../../src/settings/values.js';
import { UsageError } from '../../src/errors.js';

const hostsNamed = (...labels: string[]): ScheduledHost[] => labels.map((label, index) => ({ index, label, attempt: 1 }));
const failed = (ok: boolean): boolean => !ok;

/** The verdicts of `policy` for hosts finishing in input order with `oks` as their outcomes. */
function verdicts(policy: SchedulePolicy<boolean>, hosts: readonly ScheduledHost[], oks: readonly boolean[]): Verdict[] {
  [...policy.waves(hosts)];
  return oks.map((ok, index) => policy.finished(hosts[index]!, ok, 1));
}

describe('scheduling policies', () => {
  describe('maxFail (Ansible max_fail_percentage, pdsh -k)', () => {
    it('a count: continues up to N failures, stops at the one past N with MAX_FAIL naming the limit and the failures', () => {
      const hosts = hostsNamed('a', 'b', 'c', 'd', 'e');
      const seen = verdicts(maxFail({ count: 1 }, failed), hosts, [false, true, false, true]);
      expect(seen.slice(0, 2)).to.deep.equal([CONTINUE, CONTINUE]);
      const stop = seen[2]!;
      expect(stop.next).to.equal('stop');
      const reason = (stop as { reason: SshpoolError }).reason;
      expect(reason).to.be.instanceOf(SshpoolError);
      expect(reason.code).to.equal('MAX_FAIL');
      expect(reason.message).to.equal('max-fail 1 exceeded: 2 of 5 hosts failed (the last c); no further host started');
    });

    it('0 stops at the first failure (pdsh -k); successes never count', () => {
      const hosts = hostsNamed('a', 'b', 'c');
      const seen = verdicts(maxFail({ count: 0 }, failed), hosts, [true, true, false]);
      expect(seen.map((verdict) => verdict.next)).to.deep.equal(['continue', 'continue', 'stop']);
    });

    it('a percentage of the hosts waves was given: stops only once failures exceed it (20% of 10 is 2)', () => {
      const hosts = hostsNamed(...'abcdefghij');
      const seen = verdicts(maxFail({ percent: 20 }, failed), hosts, [false, false, false]);
      expect(seen.map((verdict) => verdict.next)).to.deep.equal(['continue', 'continue', 'stop']);
      expect((seen[2] as { reason: SshpoolError }).reason.message).to.equal('max-fail 20% exceeded: 3 of 10 hosts failed (the last c); no further host started');
    });

    it('100% never stops', () => {
      const hosts = hostsNamed('a', 'b');
      expect(verdicts(maxFail({ percent: 100 }, failed), hosts, [false, false]).map((verdict) => verdict.next)).to.deep.equal(['continue', 'continue']);
    });

    it("keeps the base policy's start order and lets its verdicts stand", () => {
      const retryOnce: SchedulePolicy<boolean> = { waves: () => [[1, 0]], finished: (_host, _ok, attempt) => (attempt === 1 ? { next: 'retry' } : CONTINUE) };
      const policy = maxFail({ count: 0 }, failed, retryOnce);
      const hosts = hostsNamed('a', 'b');
      expect([...policy.waves(hosts)]).to.deep.equal([[1, 0]]);
      expect(policy.finished(hosts[0]!, false, 1)).to.deep.equal({ next: 'retry' });
      expect(policy.finished(hosts[0]!, false, 2).next).to.equal('stop');
    });

    it('parses N and P% and names the option when neither', () => {
      expect(parseFailLimit('3', '--max-fail')).to.deep.equal({ count: 3 });
      expect(parseFailLimit(0, '--max-fail')).to.deep.equal({ count: 0 });
      expect(parseFailLimit('12.5%', '--max-fail')).to.deep.equal({ percent: 12.5 });
      for (const bad of ['-1', 'x', '%', '101%', '1.5']) expect(() => parseFailLimit(bad, '--max-fail')).to.throw(UsageError, /^--max-fail: /);
    });
  });

  describe('hostOrder (Ansible order)', () => {
    const hosts = hostsNamed('web10', 'db2', 'web9', 'app1');
    const order = (policy: SchedulePolicy<unknown>): number[][] => [...policy.waves(hosts)].map((wave) => [...wave]);

    it('inventory, reverse_inventory, sorted (code-point order, as Python sorts names), reverse_sorted: one wave each', () => {
      expect(order(hostOrder('inventory'))).to.deep.equal([[0, 1, 2, 3]]);
      expect(order(hostOrder('reverse_inventory'))).to.deep.equal([[3, 2, 1, 0]]);
      expect(order(hostOrder('sorted'))).to.deep.equal([[3, 1, 0, 2]]);
      expect(order(hostOrder('reverse_sorted'))).to.deep.equal([[2, 0, 1, 3]]);
    });

    it('shuffle: a permutation of every host, the same for the same seed, another for other seeds', () => {
      const many = hostsNamed(...Array.from({ length: 50 }, (_, index) => `h${index}`));
      const shuffled = (seed: number): number[] => [...[...hostOrder('shuffle', seed).waves(many)][0]!];
      const first = shuffled(42);
      expect([...first].sort((a, b) => a - b)).to.deep.equal(many.map((host) => host.index));
      expect(shuffled(42)).to.deep.equal(first);
      expect(first).to.not.deep.equal(many.map((host) => host.index));
      expect(shuffled(43)).to.not.deep.equal(first);
    });

    it('never stops nor retries', () => {
      expect(hostOrder('sorted').finished(hosts[0]!, false, 1)).to.equal(CONTINUE);
    });
  });

  describe('batches (Ansible serial)', () => {
    const hosts = hostsNamed(...Array.from({ length: 12 }, (_, index) => `h${index}`));
    const cutInto = (policy: SchedulePolicy<boolean>): number[][] => [...policy.waves(hosts)].map((wave) => [...wave]);

    it('a list whose last item repeats; a percentage of every host, rounded down, at least one', () => {
      expect(cutInto(batches(parseBatchSizes('1,5,20%', '--batch')))).to.deep.equal([[0], [1, 2, 3, 4, 5], [6, 7], [8, 9], [10, 11]]);
      expect(cutInto(batches([{ hosts: 5 }]))).to.deep.equal([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]);
      expect(cutInto(batches([{ percent: 1 }])).length).to.equal(12, '1% of 12 hosts is one host a batch');
    });

    it("cut from the base policy's start order", () => {
      expect(cutInto(batches([{ hosts: 5 }], hostOrder('reverse_inventory')))).to.deep.equal([[11, 10, 9, 8, 7], [6, 5, 4, 3, 2], [1, 0]]);
    });

    it('parses N, P% and lists, naming the option when an item is neither', () => {
      expect(parseBatchSizes(3, '--batch')).to.deep.equal([{ hosts: 3 }]);
      expect(parseBatchSizes(' 2 , 50% ', '--batch')).to.deep.equal([{ hosts: 2 }, { percent: 50 }]);
      for (const bad of ['0', '1,,2', '0%', 'x', '150%']) expect(() => parseBatchSizes(bad, '--batch')).to.throw(UsageError, /^--batch: /);
    });

    it('max-fail P% is of the current batch (the wave the scheduler asked for last), a count of the whole run', () => {
      const ten = hostsNamed(...'abcdefghij');
      const percent = maxFail({ percent: 50 }, failed, batches([{ hosts: 2 }, { hosts: 8 }]));
      const waves = percent.waves(ten)[Symbol.iterator]();
      waves.next();
      expect(percent.finished(ten[0]!, false, 1).next).to.equal('continue', '1 of 2 is not more than 50%');
      expect(percent.finished(ten[1]!, true, 1).next).to.equal('continue');
      waves.next();
      for (const index of [2, 3, 4, 5]) expect(percent.finished(ten[index]!, false, 1).next).to.equal('continue', '4 of 8 is not more than 50%: the first batch does not count');
      const stop = percent.finished(ten[6]!, false, 1) as { next: string; reason: SshpoolError };
      expect(stop.next).to.equal('stop');
      expect(stop.reason.message).to.equal('max-fail 50% exceeded: 5 of 8 hosts of batch 2 failed (the last g); no further host started');

      const count = maxFail({ count: 1 }, failed, batches([{ hosts: 1 }]));
      const countWaves = count.waves(ten)[Symbol.iterator]();
      countWaves.next();
      expect(count.finished(ten[0]!, false, 1).next).to.equal('continue');
      countWaves.next();
      expect(count.finished(ten[1]!, false, 1).next).to.equal('stop', 'the count is over the run');
    });
  });
});
