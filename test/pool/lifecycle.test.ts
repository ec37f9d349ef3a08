import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { currentTask, Pool, PoolClosedError, PoolStateError, PoolTerminatedError } from '../../src/pool/index.js';
import { deferred } from '../helpers/deferred.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

const identity = async (x: number): Promise<number> => x;

/** Every way to submit work; each must refuse synchronously on a pool that is not running. */
const submissions: Record<string, (pool: Pool) => unknown> = {
  applyAsync: (pool) => pool.applyAsync(identity, [1]),
  apply: (pool) => pool.apply(identity, [1]),
  map: (pool) => pool.map(identity, [1]),
  starmap: (pool) => pool.starmap(identity, [[1]]),
  imap: (pool) => pool.imap(identity, [1]),
  imapUnordered: (pool) => pool.imapUnordered(identity, [1]),
  submit: (pool) => pool.submit(() => identity(1)),
};

describe('Pool close, join and terminate', () => {
  for (const [name, submit] of Object.entries(submissions)) {
    it(`${name} after close() or terminate() throws PoolClosedError synchronously`, async () => {
      const closed = new Pool({ size: 1 });
      closed.close();
      expect(() => submit(closed))
        .to.throw(PoolClosedError, 'closed')
        .with.property('code', 'POOL_CLOSED');
      const terminated = new Pool({ size: 1 });
      await terminated.terminate();
      expect(() => submit(terminated)).to.throw(PoolClosedError, 'terminated');
    });
  }

  it('join() before close() or terminate() throws PoolStateError synchronously', () => {
    const pool = new Pool({ size: 1 });
    let caught: unknown;
    try {
      void pool.join();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(PoolStateError).and.instanceOf(SshpoolError);
    expect((caught as PoolStateError).code).to.equal('POOL_STATE');
  });

  it('close() lets submitted tasks, queued ones too, run; join() resolves once every result has settled', async () => {
    const pool = new Pool({ size: 1 });
    const gates = [deferred<string>(), deferred<string>()];
    const results = gates.map((gate) => pool.applyAsync(() => gate.promise));
    pool.close();
    const joined = pool.join();
    gates[0]!.resolve('first');
    expect(await hasSettled(joined)).to.equal(false);
    expect(pool.running).to.equal(1, 'the queued task started after close()');
    gates[1]!.reject(new Error('second fails'));
    await joined;
    expect(results.map((result) => result.ready())).to.deep.equal([true, true]);
    expect(results.map((result) => result.successful())).to.deep.equal([true, false]);
  });

  it('join() on a closed pool that never had tasks resolves', async () => {
    const pool = new Pool({ size: 2 });
    pool.close();
    await pool.join();
  });

  it('terminate(): queued tasks never start and reject with PoolTerminatedError; running tasks see their signal aborted', async () => {
    const pool = new Pool({ size: 2 });
    const gates = [deferred(), deferred()];
    const started: number[] = [];
    const signals: AbortSignal[] = [];
    const task = async (i: number) => {
      started.push(i);
      const { signal } = currentTask();
      signals.push(signal);
      if (i < 2) await gates[i]!.promise;
      if (i === 1) signal.throwIfAborted();
      return i;
    };
    const results = [0, 1, 2, 3].map((i) => pool.applyAsync(task, [i]));
    await nextMacrotask();
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([false, false]);

    const terminated = pool.terminate();
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([true, true]);
    expect(signals[0]!.reason).to.be.instanceOf(PoolTerminatedError);
    await Promise.all([results[2]!.wait(), results[3]!.wait()]);
    for (const index of [2, 3]) {
      let caught: unknown;
      await results[index]!.get().catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(PoolTerminatedError).with.property('code', 'POOL_TERMINATED');
      expect((caught as Error).message).to.include(`task ${index} never started`);
    }
    expect(pool.pending).to.equal(0);
    expect(await hasSettled(terminated)).to.equal(false, 'running tasks have not settled yet');

    gates[0]!.resolve();
    expect(await results[0]!.get()).to.equal(0, 'a running task that ignores the signal keeps its own outcome');
    expect(await hasSettled(terminated)).to.equal(false);
    gates[1]!.resolve();
    await terminated;
    expect(results[1]!.successful()).to.equal(false);
    await results[1]!.get().catch((error: unknown) => expect(error).to.be.instanceOf(PoolTerminatedError));
    await nextMacrotask();
    expect(started).to.deep.equal([0, 1], 'queued tasks never started, even once slots were free');
  });

  it('terminate() after close(), join() after terminate(), and terminate() twice all work', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred();
    const running = pool.applyAsync(() => gate.promise);
    const queued = pool.applyAsync(identity, [2]);
    pool.close();
    const terminated = pool.terminate();
    await queued.wait();
    expect(queued.successful()).to.equal(false);
    const joined = pool.join();
    const again = pool.terminate();
    pool.close();
    gate.resolve();
    await Promise.all([terminated, joined, again]);
    expect(running.successful()).to.equal(true);
    expect(() => pool.applyAsync(identity, [1])).to.throw(PoolClosedError, 'terminated');
  });
});
