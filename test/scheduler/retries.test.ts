import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { Pool } from '../../src/pool/index.js';
import { backoffMs, batches, hostOrder, maxFail, retries, Scheduler } from '../../src/scheduler/index.js';
import type { SchedulePolicy, ScheduledHost } from '../../src/scheduler/index.js';
import { deferred } from '../helpers/deferred.js';
import type { Deferred } from '../helpers/deferred.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

/** An attempt's outcome in these tests: `refused` may be retried (nothing ran), `failed` may not. */
type Outcome = { host: string; attempt: number; result: 'ok' | 'refused' | 'failed' } | { host: string; attempt: number; skipped: string };

const refusedOnly = (outcome: Outcome): boolean => 'result' in outcome && outcome.result === 'refused';
const notOk = (outcome: Outcome): boolean => !('result' in outcome) || outcome.result !== 'ok';

/** Backoff waits the test ends by hand: each `sleep` call is recorded with its ms and signal. */
function controlledSleep() {
  const waits: { ms: number; signal: AbortSignal; done: Deferred<void> }[] = [];
  const sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    const done = deferred();
    waits.push({ ms, signal, done });
    return done.promise;
  };
  return { waits, sleep };
}

/** A scheduler over h0..h(n-1) whose attempts the test settles by hand, recording starts, retries and final reports. */
function harness(count: number, poolSize: number, policy: SchedulePolicy<Outcome>) {
  const hosts: ScheduledHost[] = Array.from({ length: count }, (_, index) => ({ index, label: `h${index}`, attempt: 1 }));
  const gates = new Map<string, Deferred<'ok' | 'refused' | 'failed'>>();
  const gate = (label: string, attempt = 1) => {
    const key = `${label}#${attempt}`;
    if (!gates.has(key)) gates.set(key, deferred());
    return gates.get(key)!;
  };
  const started: string[] = [];
  const retried: string[] = [];
  const reported: string[] = [];
  const waves: string[] = [];
  const scheduler = new Scheduler<Outcome>(new Pool({ size: poolSize }), policy, {
    run: async (host, attempt) => {
      started.push(`${host.label}#${attempt}`);
      return { host: host.label, attempt, result: await gate(host.label, attempt).promise };
    },
    finished: (host, outcome) => {
      reported.push(host.label);
      return outcome;
    },
    skipped: (host, attempt, reason) => {
      reported.push(`${host.label} skipped`);
      return { host: host.label, attempt, skipped: reason instanceof SshpoolError ? reason.code : String(reason) };
    },
    retrying: (host, _outcome, attempt) => retried.push(`${host.label}#${attempt}`),
    waveStarted: (number, positions) => waves.push(`${number}:${positions.join(',')}`),
  });
  return { hosts, scheduler, gate, started, retried, reported, waves };
}

describe('retries, backoff and stops between phases (controlled promises, no sleeps)', () => {
  it('backoffMs is full jitter: random × min(base × 2^(k-1), 32 × base)', () => {
    expect([1, 2, 3, 6, 7, 12].map((retry) => backoffMs(retry, 1000, () => 0.999_999))).to.deep.equal([999, 1999, 3999, 31999, 31999, 31999]);
    expect(backoffMs(3, 1000, () => 0.5)).to.equal(2000);
    expect(backoffMs(1, 1000, () => 0)).to.equal(0);
  });

  it('a refused host is retried after its backoff, up to N times; the final attempt is the one reported, earlier ones only as retries', async () => {
    const { waits, sleep } = controlledSleep();
    const policy = retries({ retries: 2, delayMs: 100, retryable: refusedOnly, random: () => 0.5, sleep });
    const { hosts, scheduler, gate, started, retried, reported } = harness(1, 1, policy);
    const run = scheduler.run(hosts);
    gate('h0').resolve('refused');
    await nextMacrotask();
    expect(waits.map((wait) => wait.ms)).to.deep.equal([50]);
    expect(started).to.deep.equal(['h0#1'], 'nothing starts during the backoff');
    waits[0]!.done.resolve();
    await nextMacrotask();
    gate('h0', 2).resolve('refused');
    await nextMacrotask();
    expect(waits.map((wait) => wait.ms)).to.deep.equal([50, 100], 'the second backoff doubles');
    waits[1]!.done.resolve();
    await nextMacrotask();
    gate('h0', 3).resolve('refused');
    expect(await run).to.deep.equal([{ host: 'h0', attempt: 3, result: 'refused' }], 'after 2 retries the third refusal stands');
    expect(started).to.deep.equal(['h0#1', 'h0#2', 'h0#3']);
    expect(retried).to.deep.equal(['h0#1', 'h0#2']);
    expect(reported).to.deep.equal(['h0']);
  });

  it('a host whose command started (failed, not refused) is never run again', async () => {
    const { waits, sleep } = controlledSleep();
    const { hosts, scheduler, gate, started } = harness(1, 1, retries({ retries: 3, delayMs: 100, retryable: refusedOnly, sleep }));
    const run = scheduler.run(hosts);
    gate('h0').resolve('failed');
    expect(await run).to.deep.equal([{ host: 'h0', attempt: 1, result: 'failed' }]);
    expect(started).to.deep.equal(['h0#1']);
    expect(waits).to.deep.equal([]);
  });

  it('retries count from the host’s first attempt of this run (an earlier run’s attempt 3 gets N more)', async () => {
    const { waits, sleep } = controlledSleep();
    const { scheduler, gate, started } = harness(1, 1, retries({ retries: 1, delayMs: 100, retryable: refusedOnly, random: () => 0, sleep }));
    const run = scheduler.run([{ index: 0, label: 'h0', attempt: 3 }]);
    gate('h0', 3).resolve('refused');
    await nextMacrotask();
    waits[0]!.done.resolve();
    await nextMacrotask();
    gate('h0', 4).resolve('refused');
    expect((await run)[0]).to.deep.equal({ host: 'h0', attempt: 4, result: 'refused' });
    expect(started).to.deep.equal(['h0#3', 'h0#4']);
  });

  it('stop() during a backoff ends the wait at once (its signal aborts) and the host keeps its last attempt’s outcome; hosts not started are skipped', async () => {
    const { waits, sleep } = controlledSleep();
    const { hosts, scheduler, gate, reported } = harness(3, 1, retries({ retries: 5, delayMs: 30_000, retryable: refusedOnly, sleep }));
    const run = scheduler.run(hosts);
    gate('h0').resolve('refused');
    await nextMacrotask();
    expect(waits).to.have.length(1);
    gate('h1').resolve('ok');
    await nextMacrotask();
    // h2 holds the slot; h0 waits out its backoff.
    expect(await hasSettled(run)).to.equal(false);
    scheduler.stop();
    expect(waits[0]!.signal.aborted).to.equal(true, 'the policy is told, to release its timer');
    gate('h2').resolve('ok');
    const outcomes = await run;
    expect(outcomes[0]).to.deep.equal({ host: 'h0', attempt: 1, result: 'refused' }, 'the backoff never resolved: the stop ended it');
    expect(reported).to.include('h0');
    expect(reported).to.have.length(3);
  });

  it('a max-fail stop during another host’s backoff ends that wait too: no retry would start', async () => {
    const { waits, sleep } = controlledSleep();
    const policy = maxFail({ count: 0 }, notOk, retries({ retries: 5, delayMs: 1000, retryable: refusedOnly, sleep }));
    const { hosts, scheduler, gate, started } = harness(4, 2, policy);
    const run = scheduler.run(hosts);
    gate('h0').resolve('refused');
    await nextMacrotask();
    expect(waits).to.have.length(1);
    expect(started).to.deep.equal(['h0#1', 'h1#1', 'h2#1'], 'h2 took the slot h0 left for its backoff');
    gate('h1').resolve('failed');
    await nextMacrotask();
    expect(waits[0]!.signal.aborted).to.equal(true);
    gate('h2').resolve('ok');
    expect(await run).to.deep.equal([
      { host: 'h0', attempt: 1, result: 'refused' },
      { host: 'h1', attempt: 1, result: 'failed' },
      { host: 'h2', attempt: 1, result: 'ok' },
      { host: 'h3', attempt: 1, skipped: 'MAX_FAIL' },
    ]);
  });

  it('max-fail counts a retried host once, by its final attempt: a refusal that then works is no failure', async () => {
    const { waits, sleep } = controlledSleep();
    const policy = maxFail({ count: 0 }, notOk, retries({ retries: 1, delayMs: 10, retryable: refusedOnly, sleep }));
    const { hosts, scheduler, gate } = harness(2, 1, policy);
    const run = scheduler.run(hosts);
    gate('h0').resolve('refused');
    await nextMacrotask();
    gate('h1').resolve('ok');
    waits[0]!.done.resolve();
    await nextMacrotask();
    gate('h0', 2).resolve('ok');
    expect(await run).to.deep.equal([
      { host: 'h0', attempt: 2, result: 'ok' },
      { host: 'h1', attempt: 1, result: 'ok' },
    ]);
  });

  it('a batch waits for its hosts’ retries before the next batch starts', async () => {
    const { waits, sleep } = controlledSleep();
    const policy = batches([{ hosts: 2 }], retries({ retries: 1, delayMs: 10, retryable: refusedOnly, sleep }), notOk);
    const { hosts, scheduler, gate, started, waves } = harness(4, 4, policy);
    const run = scheduler.run(hosts);
    gate('h0').resolve('refused');
    gate('h1').resolve('ok');
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1', 'h1#1'], 'batch 2 waits for h0’s retry');
    waits[0]!.done.resolve();
    await nextMacrotask();
    gate('h0', 2).resolve('ok');
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1', 'h1#1', 'h0#2', 'h2#1', 'h3#1']);
    gate('h2').resolve('ok');
    gate('h3').resolve('ok');
    await run;
    expect(waves).to.deep.equal(['1:0,1', '2:2,3']);
  });

  it('stop() at a batch boundary: once a batch ends, no later batch starts and its hosts are skipped at once', async () => {
    const { hosts, scheduler, gate, started } = harness(4, 2, batches([{ hosts: 2 }], hostOrder('inventory')));
    const run = scheduler.run(hosts);
    gate('h0').resolve('ok');
    await nextMacrotask();
    scheduler.stop();
    gate('h1').resolve('ok');
    const outcomes = await run;
    expect(started).to.deep.equal(['h0#1', 'h1#1']);
    expect(outcomes.slice(2)).to.deep.equal([
      { host: 'h2', attempt: 1, skipped: 'undefined' },
      { host: 'h3', attempt: 1, skipped: 'undefined' },
    ], 'skipped with no policy reason: the run was stopped (HostRun names it SKIPPED)');
  });

  it('Ansible: a batch whose every host failed ends the run; later batches are skipped with BATCH_FAILED', async () => {
    const { hosts, scheduler, gate, started } = harness(6, 2, batches([{ hosts: 1 }, { hosts: 2 }], hostOrder('inventory'), notOk));
    const run = scheduler.run(hosts);
    gate('h0').resolve('failed');
    await nextMacrotask();
    expect(started).to.deep.equal(['h0#1'], 'batch 1 (1 host) all failed');
    const outcomes = await run;
    expect(outcomes.slice(1).map((outcome) => ('skipped' in outcome ? outcome.skipped : 'ran'))).to.deep.equal(Array(5).fill('BATCH_FAILED'));
  });

  it('one host ok in a batch lets the next start; the last batch failing whole stops nothing more', async () => {
    const policy = batches([{ hosts: 2 }], hostOrder('inventory'), notOk);
    const { hosts, scheduler, gate } = harness(4, 2, policy);
    const run = scheduler.run(hosts);
    gate('h0').resolve('failed');
    gate('h1').resolve('ok');
    await nextMacrotask();
    gate('h2').resolve('failed');
    gate('h3').resolve('failed');
    expect((await run).map((outcome) => ('result' in outcome ? outcome.result : outcome.skipped))).to.deep.equal(['failed', 'ok', 'failed', 'failed']);
    expect(policy.waveCount!(4)).to.equal(2);
    expect(batches([{ hosts: 1 }, { percent: 50 }]).waveCount!(10)).to.equal(3, '1, 5, then the 4 left');
  });

  it('without `failed`, batches never stop (the library’s earlier form)', async () => {
    const { hosts, scheduler, gate } = harness(2, 1, batches([{ hosts: 1 }], hostOrder('inventory')));
    const run = scheduler.run(hosts);
    gate('h0').resolve('failed');
    await nextMacrotask();
    gate('h1').resolve('ok');
    expect((await run).map((outcome) => 'result' in outcome)).to.deep.equal([true, true]);
  });
});
