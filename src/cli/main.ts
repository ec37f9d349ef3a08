import { takeDeferredCaCerts } from '../deferred-ca-certs.js';
import { runCli } from './cli.js';
import { COMPLETION_FLAG } from './completion.js';

takeDeferredCaCerts();
const argv = process.argv.slice(2);
void runCli(argv).then((code) => {
  process.exitCode = code;
  // yargs calls back with completions after parsing has returned: let them be written. Nothing else waits there.
  if (argv.includes(COMPLETION_FLAG)) return;
  // Every record is written by now: exit once stdout and stderr are flushed rather than
  // wait for each server to close its end of the socket (a round trip after our own close).
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
});
