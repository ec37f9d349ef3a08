import { runCli } from './cli.js';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Every record is written by now: exit once stdout and stderr are flushed rather than
  // wait for each server to close its end of the socket (a round trip after our own close).
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
});
