// Run as a child process by fleet.test.ts: starts a fleet in the dir given as argv[2], prints the sshd
// pids and exits without stopping it, as a crashed test run would.
import { Fleet } from './index.js';

const fleet = await Fleet.start({ hosts: 2, dir: process.argv[2] });
process.stdout.write(JSON.stringify(fleet.hosts.map((host) => host.pid)));
process.exit(1);
