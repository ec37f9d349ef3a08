/** The seed's example 2 over SSH: apply blocks, so the hosts run one after the other, and "Mark~" comes after them all. */
import { HostPool } from '../src/index.js';
import type { HostResult } from '../src/index.js';
import { exampleSetup, func, log } from './host-pool-setup.js';

const { inventory, settings, hostsOf, showOutput, keepRecords } = await exampleSetup();
const pool = new HostPool({ size: 3, inventory, settings });
showOutput(pool);
const records: HostResult[] = [];
for (const [i, host] of hostsOf('web').slice(0, 4).entries()) records.push(await pool.apply(host, func(`hello ${i}`)));
log('Mark~ Mark~ Mark~~~~~~~~~~~~~~~~~~~~~~');
pool.close();
await pool.join();
await keepRecords(records);
log('Sub-process(es) done.');
