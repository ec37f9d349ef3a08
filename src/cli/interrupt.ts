import type { HostResult } from '../run/host-result.js';
import type { HostRun } from '../run/host-run.js';
import type { TextSink } from '../output/text-output.js';

/**
 * The first Ctrl-C stops the run cleanly (running commands killed, pending
 * hosts skipped, every record still produced); a second one exits at once.
 */
export async function stopOnInterrupt(run: HostRun, io: { stderr: TextSink }): Promise<HostResult[]> {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.stderr.write(`sshpool: ${signal}: stopping (killing running commands, skipping the rest); again to quit now\n`);
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run.results;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
