/**
 * The seed's example 4 over SSH: several kinds of task in one pool (the
 * command and a ping on every web host) and two pools side by side, the web
 * hosts in a pool of 10 and the db hosts in a pool of 2.
 */
import { HostPool, PING_TASK } from '../src/index.js';
import { exampleSetup, func, log, summary } from './host-pool-setup.js';

const { inventory, settings, hostsOf, showOutput, keepRecords } = await exampleSetup();
const web = new HostPool({ size: 10, inventory, settings });
const db = new HostPool({ size: 2, inventory, settings });
showOutput(web);
showOutput(db);
const webResults = hostsOf('web').flatMap((host, i) => [web.applyAsync(host, func(`web ${i}`)), web.applyAsync(host, PING_TASK)]);
const dbResults = hostsOf('db').map((host, i) => db.applyAsync(host, func(`db ${i}`)));
web.close();
db.close();
await Promise.all([web.join(), db.join()]);
const records = { web: await Promise.all(webResults.map((res) => res.get())), db: await Promise.all(dbResults.map((res) => res.get())) };
for (const record of records.web) log(`::: web pool: ${summary(record)}`);
for (const record of records.db) log(`::: db pool: ${summary(record)}`);
await keepRecords(records);
log('Sub-process(es) done.');
