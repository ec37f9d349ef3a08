import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { Pool } from '../../src/pool/index.js';
import { batches, CONTINUE, hostOrder, INPUT_ORDER, Scheduler } from '../../src/scheduler/index.js';
import type { SchedulePolicy, ScheduledHost, Verdict } from '../../src/scheduler/index.js';
import { deferred } from '../helpers/deferred.js';
import type { Deferred } from '../helpers/deferred.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

/** What a host ended as, in these tests: its own outcome, or skipped with why. */
type Outcome = { host: string; ok: boolean; attempt: number } | { host: string; skipped: string };

/** A test-only policy: no host starts after `limit` failures (max-fail's shape); in input order, one wave. */
class StopAfterFailures implements SchedulePolicy<Outcome> {
  #failures = 0;
  constructor(private readonly limit: number) {}
  waves(hosts: readonly ScheduledHost[]): Iterable<readonly number[]> {
    return [hosts.map((host) => host.index)];
  }
  finished(_host: ScheduledHost, outcome: Outcome): Verdict {
    if ('ok' in outcome && !outcome.ok) this.#failures++;
    return this.#failures >= this.limit ? { next: 'stop', reason: new SshpoolError('MAX_FAIL_TEST', `${this.#failures} hosts failed`) } : CONTINUE;
  }
}

/** A scheduler over hosts h0..h(n-1) whose runs the test settles by hand; every hook call recorded. */
function harness(count: number, poolSize: number, policy: SchedulePolicy<Outcome>) {
  const hosts: ScheduledHost[] = Array.from({ length: count }, (_, index) => ({ index, label: `h${index}`, attempt: 1 }));
  const gates = new Map<string, Deferred<boolean>>();
  const gate = (label: string, attempt = 1): Deferred<boolean> => {
    const key = `${label}#${attempt}`;
    if (!gates.has(key)) gates.set(key, deferred<boolean>());
    return gates.get(key)!;
  };
  const started: string[] = [];
  const reported: string[] = [];
  const scheduler = new Scheduler<Outcome>(new Pool({ size: poolSize }), policy, {
    run: async (host, attempt, task) => {
      started.push(`${host.label}#${attempt}@${task.slot}`);
      return { host: host.label, ok: await gate(host.label, attempt).promise, attempt };
    },
    finished: (host, outcome) => {
      reported.push(host.label);
      return outcome;
    },
    skipped: (host, _attempt, reason) => {
      reported.push(`${host.label} skipped`);
      return { host: host.label, skipped: reason instanceof SshpoolError ? reason.code : String(reason) };
    },
  });
  return { hosts, scheduler, gate, started, reported };
}

describe('Scheduler with a policy (controlled promises, no sleeps)', () => {
  it('default policy: every host, in input order as slots free up, outcomes in input order whatever finished first', async () => {
    const { hosts, scheduler, gate, started } = harness(4, 2, INPUT_ORDER);
    const run = scheduler.run(hosts);
    expect(started).to.deep.equal(['h0#1@0', 'h1#1@1'], 'the first wave starts in the call');
    gate('h1').resolve(true);
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1@0', 'h1#1@1', 'h2#1@1']);
    gate('h3').resolve(false);
    gate('h2').resolve(true);
    gate('h0').resolve(true);
    const outcomes = await run;
    expect(outcomes.map((outcome) => outcome.host)).to.deep.equal(['h0', 'h1', 'h2', 'h3']);
    expect(outcomes.map((outcome) => 'ok' in outcome && outcome.ok)).to.deep.equal([true, true, true, false]);
  });

  it('a policy that stops after 2 failures: no host starts after the second, running ones finish with their own outcome, the rest are skipped with its code', async () => {
    const { hosts, scheduler, gate, started, reported } = harness(8, 3, new StopAfterFailures(2));
    const run = scheduler.run(hosts);
    gate('h0').resolve(false);
    await nextMacrotask();
    expect(started.map((entry) => entry.split('#')[0])).to.deep.equal(['h0', 'h1', 'h2', 'h3'], 'one failure: h3 took h0’s slot');
    gate('h2').resolve(false);
    await nextMacrotask();
    expect(started).to.have.length(4, 'the second failure starts nobody');
    expect(await hasSettled(run)).to.equal(false, 'running hosts are waited for');
    gate('h3').resolve(true);
    gate('h1').resolve(false);
    const outcomes = await run;
    expect(outcomes).to.deep.equal([
      { host: 'h0', ok: false, attempt: 1 },
      { host: 'h1', ok: false, attempt: 1 },
      { host: 'h2', ok: false, attempt: 1 },
      { host: 'h3', ok: true, attempt: 1 },
      ...['h4', 'h5', 'h6', 'h7'].map((host) => ({ host, skipped: 'MAX_FAIL_TEST' })),
    ]);
    expect(reported.slice(0, 2)).to.deep.equal(['h0', 'h2'], 'each host reported once, as it finished');
    expect(reported).to.have.length(8);
    expect(new Set(reported).size).to.equal(8);
  });

  it('waves: each is submitted once every host of the one before has finished, in the order the policy lists them', async () => {
    const batches: SchedulePolicy<Outcome> = { waves: () => [[2, 0], [3, 1]], finished: () => CONTINUE };
    const { hosts, scheduler, gate, started } = harness(4, 4, batches);
    const run = scheduler.run(hosts);
    expect(started.map((entry) => entry.split('#')[0])).to.deep.equal(['h2', 'h0']);
    gate('h2').resolve(true);
    await nextMacrotask();
    expect(started).to.have.length(2, 'the next wave waits for the whole of this one');
    gate('h0').resolve(true);
    await nextMacrotask();
    expect(started.map((entry) => entry.split('#')[0])).to.deep.equal(['h2', 'h0', 'h3', 'h1']);
    gate('h3').resolve(true);
    gate('h1').resolve(true);
    expect((await run).map((outcome) => outcome.host)).to.deep.equal(['h0', 'h1', 'h2', 'h3']);
  });

  it('a stop verdict in one wave skips every later wave with the policy’s reason', async () => {
    const { hosts, scheduler, gate } = harness(4, 2, Object.assign(new StopAfterFailures(1), { waves: () => [[0, 1], [2, 3]] }));
    const run = scheduler.run(hosts);
    gate('h0').resolve(false);
    gate('h1').resolve(true);
    expect((await run).slice(2)).to.deep.equal([
      { host: 'h2', skipped: 'MAX_FAIL_TEST' },
      { host: 'h3', skipped: 'MAX_FAIL_TEST' },
    ]);
  });

  it('retry: the host runs again with the next attempt once the backoff resolves; only the final outcome is reported', async () => {
    const backoff = deferred();
    const retryOnce: SchedulePolicy<Outcome> = {
      waves: INPUT_ORDER.waves,
      finished: (_host, outcome, attempt) => ('ok' in outcome && !outcome.ok && attempt === 1 ? { next: 'retry', after: () => backoff.promise } : CONTINUE),
    };
    const { hosts, scheduler, gate, started, reported } = harness(2, 1, retryOnce);
    const run = scheduler.run(hosts);
    gate('h0').resolve(false);
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1@0', 'h1#1@0'], 'the slot is free during the backoff');
    expect(reported).to.deep.equal([]);
    gate('h1').resolve(true);
    backoff.resolve();
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1@0', 'h1#1@0', 'h0#2@0']);
    gate('h0', 2).resolve(true);
    expect(await run).to.deep.equal([
      { host: 'h0', ok: true, attempt: 2 },
      { host: 'h1', ok: true, attempt: 1 },
    ]);
    expect(reported).to.deep.equal(['h1', 'h0']);
  });

  it('hands a wave to the pool as its queue has room: never more hosts waiting there than it has slots, in input order', async () => {
    const pool = new Pool({ size: 2 });
    const hosts: ScheduledHost[] = Array.from({ length: 50 }, (_, index) => ({ index, label: `h${index}`, attempt: 1 }));
    const gates = hosts.map(() => deferred<string>());
    const started: number[] = [];
    const scheduler = new Scheduler<string>(pool, INPUT_ORDER, {
      run: (host) => {
        started.push(host.index);
        return gates[host.index]!.promise;
      },
      finished: (_host, outcome) => outcome,
      skipped: () => 'skipped',
    });
    const run = scheduler.run(hosts);
    expect(started).to.deep.equal([0, 1]);
    expect(pool.pending).to.equal(2, 'two more wait in the pool; the other 46 are not submitted yet');
    // Finished in reverse pairs, so that slots free up out of order.
    for (let index = 0; index < hosts.length; index += 2) {
      gates[index + 1]!.resolve(`h${index + 1}`);
      gates[index]!.resolve(`h${index}`);
      await nextMacrotask();
      expect(pool.pending).to.be.at.most(2);
    }
    expect(await run).to.deep.equal(hosts.map((host) => host.label));
    expect(started).to.deep.equal(hosts.map((host) => host.index));
  });

  it('stop(): running hosts see their signal aborted, hosts not yet started are skipped with no reason, queued in the pool or not', async () => {
    const signals: AbortSignal[] = [];
    const hosts: ScheduledHost[] = [0, 1, 2].map((index) => ({ index, label: `h${index}`, attempt: 1 }));
    const scheduler = new Scheduler<string>(new Pool({ size: 1 }), INPUT_ORDER, {
      run: async (_host, _attempt, { signal }) => {
        signals.push(signal);
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return 'stopped while running';
      },
      finished: (_host, outcome) => outcome,
      skipped: (_host, _attempt, reason) => (reason === undefined ? 'skipped, no reason' : (reason as SshpoolError).code),
    });
    const run = scheduler.run(hosts);
    scheduler.stop();
    // h1 waits in the pool's queue, h2 in the scheduler's (the queue holds as many as the pool has slots).
    expect(await run).to.deep.equal(['stopped while running', 'skipped, no reason', 'skipped, no reason']);
    expect(signals).to.have.length(1);
  });

  it('firstStarts: the hosts run() starts before any finishes (the policy\'s order, as many as the pool has slots, of its first wave); run() then draws no waves again', async () => {
    let drawn = 0;
    const reversed = hostOrder<Outcome>('reverse_inventory');
    const counting: SchedulePolicy<Outcome> = { ...reversed, waves: (hosts) => (drawn++, reversed.waves(hosts)) };
    const { hosts, scheduler, gate, started } = harness(5, 2, counting);
    expect(scheduler.firstStarts(hosts)).to.deep.equal([4, 3]);
    const run = scheduler.run(hosts);
    expect(started).to.deep.equal(['h4#1@0', 'h3#1@1']);
    for (const label of ['h4', 'h3', 'h2', 'h1', 'h0']) gate(label).resolve(true);
    expect((await run).map((outcome) => outcome.host)).to.deep.equal(['h0', 'h1', 'h2', 'h3', 'h4']);
    expect(started.map((start) => start.split('#')[0])).to.deep.equal(['h4', 'h3', 'h2', 'h1', 'h0']);
    expect(drawn).to.equal(1);
  });

  it('firstStarts stops at the end of the first wave (a batch of one starts one host)', async () => {
    const { hosts, scheduler, gate, started } = harness(3, 2, batches([{ hosts: 1 }, { hosts: 2 }]));
    expect(scheduler.firstStarts(hosts)).to.deep.equal([0]);
    const run = scheduler.run(hosts);
    expect(started).to.deep.equal(['h0#1@0']);
    for (const label of ['h0', 'h1', 'h2']) gate(label).resolve(true);
    expect((await run).map((outcome) => outcome.host)).to.deep.equal(['h0', 'h1', 'h2']);
  });

  it('firstStarts of no hosts is none, and run() of other hosts than firstStarts saw asks the policy anew', async () => {
    const { hosts, scheduler, gate, started } = harness(2, 4, INPUT_ORDER);
    expect(scheduler.firstStarts([])).to.deep.equal([]);
    const run = scheduler.run(hosts);
    expect(started).to.deep.equal(['h0#1@0', 'h1#1@1']);
    gate('h0').resolve(true);
    gate('h1').resolve(true);
    expect(await run).to.have.length(2);
  });
});
