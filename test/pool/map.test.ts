import { expect } from 'chai';
import { Pool } from '../../src/pool/index.js';
import { deferred, type Deferred } from '../helpers/deferred.js';
import { hasSettled, nextMacrotask } from '../helpers/ticks.js';

/** A task per key that finishes when the test resolves that key's gate. */
function gated<T>(keys: readonly T[]) {
  const gates = new Map<T, Deferred<void>>(keys.map((key) => [key, deferred()]));
  const calls: unknown[][] = [];
  const task = async (key: T, ...rest: unknown[]): Promise<string> => {
    calls.push([key, ...rest]);
    await gates.get(key)!.promise;
    return `done ${String(key)}`;
  };
  return { gates, calls, task, release: (key: T) => gates.get(key)!.resolve() };
}

describe('Pool map, starmap, imap, imapUnordered', () => {
  it('map calls fn with one item each and resolves in submission order whatever the completion order', async () => {
    const pool = new Pool({ size: 3 });
    const work = gated(['a', 'b', 'c', 'd']);
    const mapped = pool.map(work.task, ['a', 'b', 'c', 'd']);
    for (const key of ['c', 'a', 'd', 'b']) {
      work.release(key);
      await nextMacrotask();
    }
    expect(await mapped).to.deep.equal(['done a', 'done b', 'done c', 'done d']);
    expect(work.calls).to.deep.equal([['a'], ['b'], ['c'], ['d']]);
  });

  it('map takes any iterable', async () => {
    const pool = new Pool({ size: 2 });
    expect(await pool.map((n: number) => n * n, new Set([1, 2, 3]))).to.deep.equal([1, 4, 9]);
  });

  it('map rejects with the error of a failing task', async () => {
    const pool = new Pool({ size: 2 });
    const failure = new Error('item 2 failed');
    const mapped = pool.map(async (n: number) => {
      if (n === 2) throw failure;
      return n;
    }, [1, 2, 3]);
    let caught: unknown;
    await mapped.catch((error: unknown) => (caught = error));
    expect(caught).to.equal(failure);
  });

  it('starmap spreads each argument list', async () => {
    const pool = new Pool({ size: 2 });
    const work = gated([1, 2]);
    const mapped = pool.starmap(work.task, [
      [2, 'x'],
      [1, 'y'],
    ] as [number, string][]);
    work.release(1);
    await nextMacrotask();
    work.release(2);
    expect(await mapped).to.deep.equal(['done 2', 'done 1']);
    expect(work.calls).to.deep.equal([
      [2, 'x'],
      [1, 'y'],
    ]);
  });

  it('imap yields in submission order, each once it and all before it are done', async () => {
    const pool = new Pool({ size: 3 });
    const work = gated([0, 1, 2]);
    const iterator = pool.imap(work.task, [0, 1, 2]);
    expect(work.calls).to.deep.equal([[0], [1], [2]], 'tasks are submitted at the call, before any next()');

    const first = iterator.next();
    work.release(1);
    expect(await hasSettled(first)).to.equal(false, 'item 1 is done but item 0 is not');
    work.release(0);
    expect(await first).to.deep.equal({ value: 'done 0', done: false });
    expect(await iterator.next()).to.deep.equal({ value: 'done 1', done: false });
    const third = iterator.next();
    expect(await hasSettled(third)).to.equal(false);
    work.release(2);
    expect(await third).to.deep.equal({ value: 'done 2', done: false });
    expect(await iterator.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('imapUnordered yields in completion order, also for tasks that finished before iteration began', async () => {
    const pool = new Pool({ size: 4 });
    const work = gated([0, 1, 2, 3]);
    const iterator = pool.imapUnordered(work.task, [0, 1, 2, 3]);
    for (const key of [2, 0]) {
      work.release(key);
      await nextMacrotask();
    }
    const next = iterator.next();
    expect(await next).to.deep.equal({ value: 'done 2', done: false });
    expect(await iterator.next()).to.deep.equal({ value: 'done 0', done: false });
    const waiting = iterator.next();
    expect(await hasSettled(waiting)).to.equal(false);
    work.release(3);
    expect(await waiting).to.deep.equal({ value: 'done 3', done: false });
    work.release(1);
    const rest: string[] = [];
    for await (const value of iterator) rest.push(value);
    expect(rest).to.deep.equal(['done 1']);
  });

  it('imap and imapUnordered throw a failing task’s error at its place in their order', async () => {
    const pool = new Pool({ size: 6 });
    const failure = new Error('item 1 failed');
    const gates = [deferred(), deferred(), deferred()];
    const task = async (i: number) => {
      await gates[i]!.promise;
      if (i === 1) throw failure;
      return i;
    };
    const ordered = pool.imap(task, [0, 1, 2]);
    const unordered = pool.imapUnordered(task, [0, 1, 2]);
    for (const i of [2, 1, 0]) {
      gates[i]!.resolve();
      await nextMacrotask();
    }
    const seen = async (iterator: AsyncGenerator<number>) => {
      const values: unknown[] = [];
      try {
        for await (const value of iterator) values.push(value);
      } catch (error) {
        values.push(error);
      }
      return values;
    };
    expect(await seen(ordered)).to.deep.equal([0, failure]);
    expect(await seen(unordered)).to.deep.equal([2, failure]);
  });
});
