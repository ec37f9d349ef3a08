import { expect } from 'chai';
import { currentTask, Pool, PoolClosedError, TaskCancelledError } from '../../src/pool/index.js';
import type { TaskSettledEvent, TaskStartEvent } from '../../src/pool/index.js';
import { deferred } from '../helpers/deferred.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

describe('Pool cancelPending: pending tasks never start, running ones finish', () => {
  /** A pool of 2 with 5 gated tasks: 0 and 1 running, 2..4 pending; every start and settle recorded. */
  function busyPool() {
    const pool = new Pool({ size: 2 });
    const starts: TaskStartEvent[] = [];
    const settles: TaskSettledEvent[] = [];
    pool.on('taskStart', (event) => starts.push(event));
    pool.on('taskSettled', (event) => settles.push(event));
    const gates = Array.from({ length: 5 }, () => deferred<string>());
    const signals: AbortSignal[] = [];
    const results = gates.map((gate) =>
      pool.applyAsync(async () => {
        signals.push(currentTask().signal);
        return gate.promise;
      }),
    );
    return { pool, starts, settles, gates, signals, results };
  }

  it('rejects the pending results with TaskCancelledError and lets the running ones settle with their own values', async () => {
    const { pool, gates, signals, results } = busyPool();
    const cancelled = pool.cancelPending();
    expect(pool.pending).to.equal(0);
    expect(pool.running).to.equal(2);
    for (const index of [2, 3, 4]) {
      const error = await results[index]!.get().catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(TaskCancelledError).and.include({ code: 'POOL_CANCELLED', index });
      expect((error as Error).message).to.equal(`task ${index} never started: the pool's pending tasks were cancelled`);
    }
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([false, false], 'running tasks are not told to stop');
    expect(await hasSettled(cancelled)).to.equal(false);
    gates[1]!.resolve('second');
    gates[0]!.reject(new Error('first fails on its own'));
    await cancelled;
    expect(await results[1]!.get()).to.equal('second');
    expect(await results[0]!.get().catch((error: Error) => error.message)).to.equal('first fails on its own');
    gates[2]!.resolve('never');
    await nextMacrotask();
    expect(signals).to.have.length(2, 'a freed slot starts none of the cancelled tasks');
  });

  it('reports taskStart and taskSettled for the running tasks only, and none for the cancelled ones', async () => {
    const { pool, starts, settles, gates } = busyPool();
    void pool.cancelPending();
    gates[0]!.resolve('a');
    gates[1]!.resolve('b');
    await pool.join();
    expect(starts.map((event) => [event.index, event.slot])).to.deep.equal([
      [0, 0],
      [1, 1],
    ]);
    expect(settles.map((event) => [event.index, event.ok])).to.deep.equal([
      [0, true],
      [1, true],
    ]);
  });

  it('closes the pool: join() is allowed and resolves once the running tasks finish; new tasks are refused', async () => {
    const { pool, gates } = busyPool();
    void pool.cancelPending();
    expect(() => pool.applyAsync(async () => 'late')).to.throw(PoolClosedError, 'closed');
    const joined = pool.join();
    expect(await hasSettled(joined)).to.equal(false);
    gates[0]!.resolve('a');
    expect(await hasSettled(joined)).to.equal(false);
    gates[1]!.resolve('b');
    await joined;
  });

  it('after terminate() it changes nothing: the pending results keep their PoolTerminatedError', async () => {
    const { pool, gates, results } = busyPool();
    const terminated = pool.terminate();
    const cancelled = pool.cancelPending();
    gates[0]!.resolve('a');
    gates[1]!.resolve('b');
    await Promise.all([terminated, cancelled]);
    const codes = await Promise.all(results.slice(2).map((result) => result.get().catch((error: { code: string }) => error.code)));
    expect(codes).to.deep.equal(['POOL_TERMINATED', 'POOL_TERMINATED', 'POOL_TERMINATED']);
  });

  it('on an idle pool resolves at once', async () => {
    const pool = new Pool({ size: 1 });
    expect(await hasSettled(pool.cancelPending())).to.equal(true);
  });
});
