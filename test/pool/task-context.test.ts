import { expect } from 'chai';
import { currentTask, Pool, PoolStateError, type TaskSettledEvent, type TaskStartEvent } from '../../src/pool/index.js';
import { deferred, type Deferred } from '../helpers/deferred.js';
import { nextMacrotask } from '../helpers/ticks.js';

describe('currentTask() and task events', () => {
  it('throws PoolStateError outside a task', () => {
    expect(() => currentTask())
      .to.throw(PoolStateError)
      .with.property('code', 'POOL_STATE');
  });

  it('lets every running task listen on its signal without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const pool = new Pool({ size: 40 });
      const gate = deferred();
      const task = async () => {
        const { signal } = currentTask();
        const onAbort = (): void => undefined;
        signal.addEventListener('abort', onAbort);
        await gate.promise;
        signal.removeEventListener('abort', onAbort);
      };
      const results = Array.from({ length: 40 }, () => pool.applyAsync(task));
      await nextMacrotask();
      gate.resolve();
      await Promise.all(results.map((result) => result.get()));
      await nextMacrotask();
      expect(warnings.map((warning) => warning.name)).to.not.include('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('gives each task its own index, slot, signal and pool, also after awaits', async () => {
    const pool = new Pool({ size: 2 });
    const gates = [deferred(), deferred()];
    const seen: { before: string; after: string; pool: Pool; signal: AbortSignal }[] = [];
    const task = async (i: number) => {
      const before = currentTask();
      await gates[i]!.promise;
      await nextMacrotask();
      const after = currentTask();
      seen[i] = {
        before: `${before.index}/${before.slot}`,
        after: `${after.index}/${after.slot}`,
        pool: after.pool,
        signal: after.signal,
      };
    };
    const results = [pool.applyAsync(task, [0]), pool.applyAsync(task, [1])];
    // Interleave: the second task resumes first, so a context leaking between them would show.
    gates[1]!.resolve();
    await results[1]!.get();
    gates[0]!.resolve();
    await results[0]!.get();
    expect(seen.map(({ before, after }) => [before, after])).to.deep.equal([
      ['0/0', '0/0'],
      ['1/1', '1/1'],
    ]);
    expect(seen[0]!.pool).to.equal(pool);
    expect(seen[0]!.signal).to.be.instanceOf(AbortSignal);
    expect(seen[0]!.signal.aborted).to.equal(false);
    expect(() => currentTask()).to.throw(PoolStateError, undefined, 'the context does not leak out of tasks');
  });

  it('numbers tasks by submission across every way of submitting', async () => {
    const pool = new Pool({ size: 3 });
    const index = () => currentTask().index;
    const first = await pool.apply(index);
    const mapped = await pool.map(() => index(), ['a', 'b']);
    const last = await pool.applyAsync(index).get();
    expect([first, ...mapped, last]).to.deep.equal([0, 1, 2, 3]);
  });

  it('gives a submit task its context as its argument, numbered with the tasks submitted any other way', async () => {
    const pool = new Pool({ size: 2 });
    const gate = deferred();
    const seen: string[] = [];
    const first = await pool.apply(() => currentTask().index);
    const submitted = [pool.submit(async (task) => {
      seen.push(`${task.index}/${task.slot}`);
      await gate.promise;
      expect(task.signal.aborted).to.equal(true, 'terminate() aborts the signal it was given');
      expect(task.pool).to.equal(pool);
      return task.index;
    }), pool.submit((task) => task.index)];
    expect(await submitted[1]!.get()).to.equal(2);
    const terminated = pool.terminate();
    gate.resolve();
    await terminated;
    expect([first, await submitted[0]!.get()]).to.deep.equal([0, 1]);
    expect(seen).to.deep.equal(['1/0']);
  });

  it('runs a submit task outside every context, also one submitted from inside an applyAsync task (which starts it at once)', async () => {
    const pool = new Pool({ size: 2 });
    const other = new Pool({ size: 1 });
    const attempts: string[] = [];
    const tryCurrentTask = (when: string): void => {
      try {
        attempts.push(`${when}: task ${currentTask().index}`);
      } catch (error) {
        attempts.push(`${when}: ${(error as PoolStateError).code}`);
      }
    };
    const submitTask = (name: string) => async (): Promise<void> => {
      tryCurrentTask(`${name}, at its start`);
      await nextMacrotask();
      tryCurrentTask(`${name}, after an await`);
    };
    await pool
      .applyAsync(async () => {
        await nextMacrotask();
        tryCurrentTask('applyAsync task');
        await Promise.all([pool.submit(submitTask('submit task, same pool')).get(), other.submit(submitTask('submit task, another pool')).get()]);
        tryCurrentTask('applyAsync task, after them');
      })
      .get();
    expect(attempts).to.deep.equal([
      'applyAsync task: task 0',
      'submit task, same pool, at its start: POOL_STATE',
      'submit task, another pool, at its start: POOL_STATE',
      'submit task, same pool, after an await: POOL_STATE',
      'submit task, another pool, after an await: POOL_STATE',
      'applyAsync task, after them: task 0',
    ]);
  });

  it('takes the lowest free slot when a task starts, and reuses slots', async () => {
    const pool = new Pool({ size: 3 });
    const gates = Array.from({ length: 6 }, () => deferred());
    const slots: number[] = [];
    const task = async (i: number) => {
      slots[i] = currentTask().slot;
      await gates[i]!.promise;
    };
    const results = gates.map((_, i) => pool.applyAsync(task, [i]));
    await nextMacrotask();
    expect(slots).to.deep.equal([0, 1, 2]);
    gates[1]!.resolve();
    await nextMacrotask();
    expect(slots[3]).to.equal(1);
    gates[2]!.resolve();
    gates[0]!.resolve();
    await nextMacrotask();
    expect(slots.slice(4)).to.deep.equal([0, 2], 'task 4 starts first and takes the lowest free slot');
    for (const gate of gates) gate.resolve();
    await Promise.all(results.map((result) => result.get()));
  });

  it('never gives one slot to two running tasks, under load with a scrambled finishing order', async () => {
    const size = 4;
    const pool = new Pool({ size });
    const gates: Deferred<void>[] = Array.from({ length: 40 }, () => deferred());
    const busy = new Set<number>();
    const used = new Set<number>();
    const clashes: number[] = [];
    const task = async (i: number) => {
      const { slot } = currentTask();
      if (busy.has(slot)) clashes.push(slot);
      busy.add(slot);
      used.add(slot);
      await gates[i]!.promise;
      busy.delete(slot);
    };
    const results = gates.map((_, i) => pool.applyAsync(task, [i]));
    for (let step = 0; step < gates.length; step++) {
      gates[(step * 13) % gates.length]!.resolve();
      await nextMacrotask();
    }
    await Promise.all(results.map((result) => result.get()));
    expect(clashes).to.deep.equal([]);
    expect([...used].sort()).to.deep.equal([0, 1, 2, 3]);
  });

  it("reports taskStart and taskSettled with the task's index and slot, and whether it succeeded", async () => {
    const pool = new Pool({ size: 2 });
    const events: string[] = [];
    const starts: TaskStartEvent[] = [];
    const settles: TaskSettledEvent[] = [];
    const onStart = (event: TaskStartEvent): void => {
      starts.push(event);
      events.push(`start ${event.index}@${event.slot}`);
    };
    pool.on('taskStart', onStart).on('taskSettled', (event) => {
      settles.push(event);
      events.push(`settled ${event.index}@${event.slot} ${event.ok ? 'ok' : 'failed'}`);
    });
    const gates = [deferred(), deferred(), deferred()];
    const before = Date.now();
    const results = [0, 1, 2].map((i) =>
      pool.applyAsync(
        async () => {
          events.push(`run ${i}`);
          await gates[i]!.promise;
        },
        [],
        { callback: () => events.push(`callback ${i}`), errorCallback: () => events.push(`errorCallback ${i}`) },
      ),
    );
    pool.off('taskStart', onStart);
    gates[1]!.reject(new Error('fails'));
    await nextMacrotask();
    gates[0]!.resolve();
    await nextMacrotask();
    gates[2]!.resolve();
    await Promise.all(results.map((result) => result.wait()));
    const taskEvents = (i: number) => events.filter((event) => event.split(/[ @]/)[1] === String(i));
    expect(taskEvents(0)).to.deep.equal(['start 0@0', 'run 0', 'settled 0@0 ok', 'callback 0']);
    expect(taskEvents(1)).to.deep.equal(['start 1@1', 'run 1', 'settled 1@1 failed', 'errorCallback 1']);
    expect(taskEvents(2)).to.deep.equal(['run 2', 'settled 2@1 ok', 'callback 2'], 'no taskStart once the listener is off');
    expect(events.indexOf('run 2')).to.be.greaterThan(events.indexOf('settled 1@1 failed'), 'task 2 waited for a free slot');
    expect(starts.every(({ startedAt }) => startedAt >= before && startedAt <= Date.now())).to.equal(true);
    expect(settles.every(({ durationMs }) => durationMs >= 0)).to.equal(true);
  });

  it('counts pending and running tasks', async () => {
    const pool = new Pool({ size: 2 });
    const gates = [deferred(), deferred(), deferred()];
    const counts: number[][] = [];
    pool.on('taskSettled', () => counts.push([pool.running, pool.pending]));
    const results = gates.map((gate) => pool.applyAsync(() => gate.promise));
    expect([pool.running, pool.pending]).to.deep.equal([2, 1]);
    gates[0]!.resolve();
    await nextMacrotask();
    expect([pool.running, pool.pending]).to.deep.equal([2, 0]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await Promise.all(results.map((result) => result.wait()));
    expect([pool.running, pool.pending]).to.deep.equal([0, 0]);
    expect(counts[0]).to.deep.equal([1, 1], 'a settling task no longer counts as running');
  });
});
