/** The seed's example 3 over SSH: three hosts at once in a pool of 4, their records read with get() in submission order. */
import { HostPool } from '../src/index.js';
import { exampleSetup, func, log, summary } from './host-pool-setup.js';

const { inventory, settings, hostsOf, showOutput, keepRecords } = await exampleSetup();
const pool = new HostPool({ size: 4, inventory, settings });
showOutput(pool);
const results = hostsOf('web').slice(0, 3).map((host, i) => pool.applyAsync(host, func(`hello ${i}`)));
pool.close();
await pool.join();
for (const res of results) log(`::: ${summary(await res.get())}`);
await keepRecords(await Promise.all(results.map((res) => res.get())));
log('Sub-process(es) done.');
