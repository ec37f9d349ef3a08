/**
 * The seed's four multiprocessing.Pool examples, in sshpool's Pool (no SSH):
 * `node build/examples/pool.js` after `npm run compile`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, currentTask } from '../src/index.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function func(msg: string): Promise<string> {
  log(`msg: ${msg} (slot ${currentTask().slot})`);
  await sleep(300);
  log('end');
  return `done ${msg}`;
}

// Example 1: applyAsync does not block; at most 3 run at once, the 4th waits for a free slot.
{
  const pool = new Pool({ size: 3 });
  for (let i = 0; i < 4; i++) pool.applyAsync(func, [`hello ${i}`]);
  log('Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~');
  pool.close();
  await pool.join(); // join only after close (or terminate): before, it throws PoolStateError
  log('Sub-process(es) done.');
}

// Example 2: apply blocks until its task is done, so the tasks run one after the other.
{
  const pool = new Pool({ size: 3 });
  for (let i = 0; i < 4; i++) await pool.apply(func, [`hello ${i}`]);
  log('Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~');
  pool.close();
  await pool.join();
  log('Sub-process(es) done.');
}

// Example 3: results read back in submission order with get(), whatever order tasks end in.
{
  const pool = new Pool({ size: 4 });
  const results = [0, 1, 2].map((i) => pool.applyAsync(func, [`hello ${i}`]));
  pool.close();
  await pool.join();
  for (const res of results) log(`::: ${await res.get()}`);
  log('Sub-process(es) done.');
}

// Example 4: several kinds of task in one pool, and another pool beside it.
{
  const pool = new Pool({ size: 2 });
  const other = new Pool({ size: 1 });
  const square = async (n: number): Promise<number> => n * n;
  const results = [pool.applyAsync(func, ['mixed']), pool.applyAsync(square, [7]), other.applyAsync(func, ['other pool'])];
  pool.close();
  other.close();
  await Promise.all([pool.join(), other.join()]);
  log(`::: ${(await Promise.all(results.map((res) => res.get()))).join(', ')}`);
}
