import type { InventoryHost } from '../inventory/index.js';
import { RunOutput } from '../output/run-output.js';
import type { RunOutputOptions } from '../output/run-output.js';
import type { HostRun } from '../run/host-run.js';
import type { CliIo } from './cli.js';
import { exitCodeForResults } from './exit-codes.js';
import { stopOnInterrupt } from './interrupt.js';

/**
 * What `run` and `ping` share once their options are read: prepare the output
 * (its files fail before any host is touched), start the run, print its
 * warnings, stream it, stop cleanly on Ctrl-C, write what comes at the end, and
 * set the exit code.
 */
export async function runAndReport(io: CliIo, hosts: readonly InventoryHost[], outputOptions: RunOutputOptions, start: () => HostRun): Promise<void> {
  const output = await RunOutput.create(io, hosts.map((host) => host.name), outputOptions);
  const run = start();
  run.on('warning', (message) => io.stderr.write(`sshpool: warning: ${message}\n`));
  output.attach(run);
  const results = await stopOnInterrupt(run, io);
  await output.finish(results);
  io.setExitCode(exitCodeForResults(results));
}
