import { expect } from 'chai';
import { SshpoolError } from '../../src/errors.js';
import { AsyncResult, Pool, PoolStateError, TimeoutError } from '../../src/pool/index.js';
import { deferred } from '../helpers/deferred.js';
import { rejectionOf } from '../helpers/rejection.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

describe('AsyncResult', () => {
  it('applyAsync returns at once; get() values come back in submission order while tasks finish in reverse', async () => {
    const pool = new Pool({ size: 5 });
    const gates = [0, 1, 2, 3, 4].map(() => deferred<string>());
    const finished: number[] = [];
    const results = gates.map((gate, i) =>
      pool.applyAsync(async () => {
        const value = await gate.promise;
        finished.push(i);
        return value;
      }),
    );
    expect(results.every((result) => result instanceof AsyncResult && !result.ready())).to.equal(true);
    for (let i = 4; i >= 0; i--) {
      gates[i]!.resolve(`value ${i}`);
      await nextMacrotask();
    }
    expect(finished).to.deep.equal([4, 3, 2, 1, 0]);
    const values: string[] = [];
    for (const result of results) values.push(await result.get());
    expect(values).to.deep.equal(['value 0', 'value 1', 'value 2', 'value 3', 'value 4']);
  });

  it("get() rejects with the task's own error, thrown or rejected", async () => {
    const pool = new Pool({ size: 2 });
    const thrown = new Error('thrown synchronously');
    const rejected = new Error('rejected later');
    const sync = pool.applyAsync(() => {
      throw thrown;
    });
    const later = pool.applyAsync(async () => {
      await nextMacrotask();
      throw rejected;
    });
    expect(await rejectionOf(sync.get())).to.equal(thrown);
    expect(await rejectionOf(later.get())).to.equal(rejected);
  });

  it('get(timeout) rejects with TimeoutError while the task goes on, and a later get() has the value', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred<string>();
    const result = pool.applyAsync(() => gate.promise);
    const error = await rejectionOf(result.get(5));
    expect(error).to.be.instanceOf(TimeoutError).and.instanceOf(SshpoolError);
    expect((error as TimeoutError).code).to.equal('TIMEOUT');
    expect((error as TimeoutError).timeoutMs).to.equal(5);
    expect(result.ready()).to.equal(false);
    expect(pool.running).to.equal(1);

    gate.resolve('done');
    expect(await result.get()).to.equal('done');
    expect(await result.get(0)).to.equal('done', 'a ready result needs no time');
  });

  it('get(timeout) gives the value when the task settles in time', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred<number>();
    const result = pool.applyAsync(() => gate.promise);
    const value = result.get(60_000);
    gate.resolve(7);
    expect(await value).to.equal(7);
  });

  it('get(timeout) with a timeout too long for a Node timer waits instead of timing out at once', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred<number>();
    const result = pool.applyAsync(() => gate.promise);
    const forever = result.get(Number.POSITIVE_INFINITY);
    const long = result.get(2 ** 31);
    // Node would have clamped both to 1 ms; a 20 ms timeout expiring proves they did not fire.
    expect(await rejectionOf(result.get(20))).to.be.instanceOf(TimeoutError);
    expect(await hasSettled(forever)).to.equal(false);
    expect(await hasSettled(long)).to.equal(false);
    gate.resolve(1);
    expect(await forever).to.equal(1);
    expect(await long).to.equal(1);
  });

  it('wait() resolves when the task settles, and wait(timeout) resolves without rejecting when it has not', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred();
    const result = pool.applyAsync(async () => {
      await gate.promise;
      throw new Error('fails');
    });
    await result.wait(5);
    expect(result.ready()).to.equal(false);
    const untilDone = result.wait();
    expect(await hasSettled(untilDone)).to.equal(false);
    gate.resolve();
    await untilDone;
    expect(result.ready()).to.equal(true);
    await result.wait(5);
  });

  it('ready() and successful() follow the outcome; successful() throws PoolStateError before it is ready', async () => {
    const pool = new Pool({ size: 2 });
    const okGate = deferred<number>();
    const failGate = deferred<number>();
    const ok = pool.applyAsync(() => okGate.promise);
    const failed = pool.applyAsync(() => failGate.promise);
    expect(ok.ready()).to.equal(false);
    expect(() => ok.successful())
      .to.throw(PoolStateError)
      .with.property('code', 'POOL_STATE');
    okGate.resolve(1);
    failGate.reject(new Error('no'));
    await ok.wait();
    await failed.wait();
    expect([ok.ready(), ok.successful()]).to.deep.equal([true, true]);
    expect([failed.ready(), failed.successful()]).to.deep.equal([true, false]);
  });

  it('calls callback once with the value, before get() resolves', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred<string>();
    const log: string[] = [];
    const result = pool.applyAsync((x: string) => gate.promise.then((y) => x + y), ['a'], {
      callback: (value) => log.push(`callback ${value}`),
      errorCallback: () => log.push('errorCallback'),
    });
    const got = result.get().then((value) => log.push(`get ${value}`));
    gate.resolve('b');
    await got;
    await nextMacrotask();
    expect(log).to.deep.equal(['callback ab', 'get ab']);
  });

  it("calls errorCallback once with the task's error, before get() rejects", async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred<string>();
    const failure = new Error('boom');
    const log: unknown[] = [];
    const result = pool.applyAsync(() => gate.promise, [], {
      callback: () => log.push('callback'),
      errorCallback: (error) => log.push(error),
    });
    const got = result.get().catch((error: unknown) => log.push(`get rejected: ${(error as Error).message}`));
    gate.reject(failure);
    await got;
    await rejectionOf(result.get());
    expect(log).to.deep.equal([failure, 'get rejected: boom']);
  });

  it("a throwing callback does not change the task's outcome; its error surfaces as an uncaught exception", async () => {
    const pool = new Pool({ size: 1 });
    const bug = new Error('bug in callback');
    const mochaListeners = process.listeners('uncaughtException');
    const uncaught: unknown[] = [];
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => uncaught.push(error));
    try {
      const result = pool.applyAsync(async () => 'value', [], {
        callback: () => {
          throw bug;
        },
      });
      expect(await result.get()).to.equal('value');
      await nextMacrotask();
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of mochaListeners) process.on('uncaughtException', listener);
    }
    expect(uncaught).to.deep.equal([bug]);
  });

  it('a failed task whose result nobody reads causes no unhandledRejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = new Pool({ size: 2 });
      const gate = deferred();
      pool.applyAsync(() => {
        throw new Error('sync, unread');
      });
      pool.applyAsync(async () => {
        await gate.promise;
        throw new Error('async, unread');
      });
      pool.applyAsync(() => Promise.reject(new Error('queued, unread')));
      const timedOut = pool.applyAsync(() => gate.promise.then(() => Promise.reject(new Error('read only with a timeout'))));
      await rejectionOf(timedOut.get(1));
      // map reads only the first failure; the others must stay handled too.
      const mapped = pool.map(async (i: number) => {
        await gate.promise;
        throw new Error(`item ${i}`);
      }, [1, 2, 3]);
      const mapError = rejectionOf(mapped);
      gate.resolve();
      expect(((await mapError) as Error).message).to.equal('item 1');
      pool.close();
      await pool.join();
      await nextMacrotask();
      await nextMacrotask();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).to.deep.equal([]);
  });
});
