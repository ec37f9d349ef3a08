import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

const POOL_MODULE = new URL('../../src/pool/index.js', import.meta.url).href;

/**
 * Node tags every promise with its async ids once promise hooks are on (AsyncLocalStorage turns them
 * on at its first run, for the whole process and for good): a fresh promise's own symbols tell.
 * In a process of its own, since any earlier test may have turned them on in this one.
 */
const PROBE = `
import { Pool } from ${JSON.stringify(POOL_MODULE)};
const promiseHooksOn = () => Object.getOwnPropertySymbols(Promise.resolve()).length > 0;
const seen = [promiseHooksOn()];
const pool = new Pool({ size: 2 });
await Promise.all([0, 1, 2].map(() => pool.submit(async (task) => { await null; return task.index; }).get()));
seen.push(promiseHooksOn());
await pool.applyAsync(async () => null).get();
seen.push(promiseHooksOn());
console.log(JSON.stringify(seen));
`;

describe('Pool: promise hooks', () => {
  it('stay off while only submit tasks run, and are on once an applyAsync task has run (currentTask() across awaits needs them)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE]);
    expect(JSON.parse(stdout)).to.deep.equal([false, false, true]);
  });
});
