import { expect } from 'chai';
import { InputError } from '../../src/errors.js';
import { Pool, PoolSizeError } from '../../src/pool/index.js';
import { deferred, type Deferred } from '../helpers/deferred.js';
import { nextMacrotask } from '../helpers/ticks.js';

/** Tasks that each wait on their own deferred and record how many run at once. */
function heldTasks(count: number) {
  const gates: Deferred<void>[] = Array.from({ length: count }, () => deferred());
  const started: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const task = async (i: number): Promise<number> => {
    started.push(i);
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      await gates[i]!.promise;
      return i;
    } finally {
      running--;
    }
  };
  return {
    gates,
    started,
    task,
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

describe('Pool size and concurrency', () => {
  for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '4' as unknown as number]) {
    it(`rejects size ${String(size)} with a PoolSizeError naming the option`, () => {
      let caught: unknown;
      try {
        new Pool({ size });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PoolSizeError).and.instanceOf(InputError);
      expect((caught as PoolSizeError).code).to.equal('POOL_SIZE');
      expect((caught as PoolSizeError).option).to.equal('size');
      expect((caught as PoolSizeError).message).to.include('"size"');
    });
  }

  it('exposes its size', () => {
    expect(new Pool({ size: 3 }).size).to.equal(3);
  });

  it('never runs more than size tasks: 50 tasks on 4 slots peak at exactly 4', async () => {
    const pool = new Pool({ size: 4 });
    const load = heldTasks(50);
    const results = Array.from({ length: 50 }, (_, i) => pool.applyAsync(load.task, [i]));
    await nextMacrotask();
    expect(load.running).to.equal(4);
    expect(pool.running).to.equal(4);
    expect(pool.pending).to.equal(46);
    expect(load.started).to.deep.equal([0, 1, 2, 3]);

    // Release in a scrambled order (7 is coprime with 50, so this visits every task once).
    for (let step = 0; step < 50; step++) {
      load.gates[(step * 7) % 50]!.resolve();
      await nextMacrotask();
      expect(load.running).to.be.at.most(4);
      expect(pool.running).to.equal(load.running);
    }
    expect(load.maxRunning).to.equal(4);
    expect(load.started).to.have.lengthOf(50);
    expect(load.started).to.deep.equal([...load.started].sort((a, b) => a - b), 'tasks start in submission order');
    expect(await Promise.all(results.map((result) => result.get()))).to.deep.equal([...Array(50).keys()]);
    expect(pool.running).to.equal(0);
    expect(pool.pending).to.equal(0);
  });

  it('keeps two pools side by side independent, each to its own limit', async () => {
    const small = new Pool({ size: 1 });
    const large = new Pool({ size: 3 });
    const smallLoad = heldTasks(4);
    const largeLoad = heldTasks(6);
    const smallResults = [0, 1, 2, 3].map((i) => small.applyAsync(smallLoad.task, [i]));
    const largeResults = [0, 1, 2, 3, 4, 5].map((i) => large.applyAsync(largeLoad.task, [i]));
    await nextMacrotask();
    expect([small.running, small.pending, large.running, large.pending]).to.deep.equal([1, 3, 3, 3]);

    // Freeing the small pool's slot does not let the large pool run more, and the other way round.
    smallLoad.gates[0]!.resolve();
    await nextMacrotask();
    expect(smallLoad.started).to.deep.equal([0, 1]);
    expect(largeLoad.started).to.deep.equal([0, 1, 2]);
    largeLoad.gates[1]!.resolve();
    await nextMacrotask();
    expect(smallLoad.started).to.deep.equal([0, 1]);
    expect(largeLoad.started).to.deep.equal([0, 1, 2, 3]);

    for (const gate of [...smallLoad.gates, ...largeLoad.gates]) gate.resolve();
    expect(await Promise.all(smallResults.map((result) => result.get()))).to.deep.equal([0, 1, 2, 3]);
    expect(await Promise.all(largeResults.map((result) => result.get()))).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect([smallLoad.maxRunning, largeLoad.maxRunning]).to.deep.equal([1, 3]);
  });

  it('takes tasks of different functions in one pool (the seed example with four functions)', async () => {
    const pool = new Pool({ size: 4 });
    const gate = deferred();
    const greet = async (name: string) => {
      await gate.promise;
      return `hello ${name}`;
    };
    const add = async (a: number, b: number) => {
      await gate.promise;
      return a + b;
    };
    const shout = (text: string) => text.toUpperCase();
    const nothing = async () => {
      await gate.promise;
    };
    const results = [pool.applyAsync(greet, ['lee']), pool.applyAsync(add, [2, 3]), pool.applyAsync(shout, ['marlon']), pool.applyAsync(nothing)];
    gate.resolve();
    pool.close();
    await pool.join();
    expect(await results[0]!.get()).to.equal('hello lee');
    expect(await results[1]!.get()).to.equal(5);
    expect(await results[2]!.get()).to.equal('MARLON');
    expect(await results[3]!.get()).to.equal(undefined);
  });

  it('apply() waits for its task, which queues behind running ones like any other', async () => {
    const pool = new Pool({ size: 1 });
    const gate = deferred();
    const first = pool.applyAsync(() => gate.promise.then(() => 'first'));
    let secondStarted = false;
    const second = pool.apply(async (x: number) => {
      secondStarted = true;
      return x * 2;
    }, [21]);
    await nextMacrotask();
    expect(secondStarted).to.equal(false);
    expect(pool.pending).to.equal(1);
    gate.resolve();
    expect(await second).to.equal(42);
    expect(first.ready()).to.equal(true);
  });
});
