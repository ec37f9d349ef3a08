/**
 * The seed's example 1 over SSH: applyAsync does not block. Four tasks, a pool
 * of 3: three hosts start at once, the fourth when one of them is done, and the
 * main flow prints "Mark~" before any result arrives.
 */
import { HostPool } from '../src/index.js';
import { exampleSetup, func, log } from './host-pool-setup.js';

const { inventory, settings, hostsOf, showOutput, keepRecords } = await exampleSetup();
const pool = new HostPool({ size: 3, inventory, settings });
showOutput(pool);
const results = hostsOf('web').slice(0, 4).map((host, i) => pool.applyAsync(host, func(`hello ${i}`)));
log('Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~');
pool.close();
await pool.join(); // join only after close (or terminate): before, it throws PoolStateError
await keepRecords(await Promise.all(results.map((res) => res.get())));
log('Sub-process(es) done.');
