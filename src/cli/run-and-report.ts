import type { InventoryHost } from '../inventory/index.js';
import { RunOutput } from '../output/run-output.js';
import { escapeControlCharacters } from '../output/untrusted-text.js';
import type { RunOutputOptions } from '../output/run-output.js';
import type { HostResult } from '../run/host-result.js';
import { HostRun } from '../run/host-run.js';
import type { RedisHosts } from '../queue/redis-hosts.js';
import type { EffectiveSettings } from '../settings/resolve.js';
import { remoteHosts } from './options/redis-options.js';
import { toRunOutputOptions } from './options/output-options.js';
import type { OutputArgs } from './options/output-options.js';
import type { CliIo } from './cli.js';
import { EXIT_OK, EXIT_OTHER, exitCodeForResults } from './exit-codes.js';
import { stopOnInterrupt } from './interrupt.js';
import { favourMemoryOverSpeed, tuneV8OnceUnderWay } from './memory-mode.js';
import { watchPrompts } from './prompt.js';

/**
 * What `run` and `ping` share once their options are read: prepare the output
 * (its files fail before any host is touched), start the run, print its
 * warnings, stream it, stop cleanly on Ctrl-C, write what comes at the end,
 * and set the exit code. The progress line keeps off the terminal while a
 * passphrase or password prompt is there, and is gone before an error is reported.
 */
export async function runAndReport(
  io: CliIo,
  hosts: readonly InventoryHost[],
  outputOptions: RunOutputOptions,
  start: (runOptions: { keepOutput: false }) => HostRun,
): Promise<void> {
  const output = await RunOutput.create(io, hosts.map((host) => host.name), { onOutputOverBudget: favourMemoryOverSpeed, ...outputOptions });
  const unwatch = watchPrompts({ promptStart: () => output.suspendProgress(), promptEnd: () => output.resumeProgress() });
  let results: HostResult[];
  try {
    // RunOutput keeps the output it gets from the run's events: the run's own records need not hold it too.
    const run = start({ keepOutput: false });
    run.on('warning', (message) => output.messages.write(`sshpool: warning: ${escapeControlCharacters(message)}\n`));
    output.attach(run);
    tuneV8OnceUnderWay(run);
    results = await stopOnInterrupt(run, { stderr: output.messages });
  } catch (error) {
    output.abandon();
    throw error;
  } finally {
    unwatch();
  }
  const failures = await output.finish();
  for (const failure of failures) io.stderr.write(`sshpool: ${escapeControlCharacters(failure.message)} [${failure.code}]\n`);
  const exitCode = exitCodeForResults(results);
  // Hosts ran: a file that could not be written is an error of the run (1), never a usage error (2).
  io.setExitCode(failures.length > 0 && exitCode === EXIT_OK ? EXIT_OTHER : exitCode);
}

/**
 * runAndReport for the commands whose hosts can go to workers: with --redis
 * (or $SSHPOOL_REDIS, or the settings key) Redis is connected and the run's id
 * said before anything is queued, the run gets it as its `remote`, and the
 * results file keeps its id; without, the hosts are worked on here.
 */
export async function runAndReportHereOrOnWorkers(
  io: CliIo,
  settings: EffectiveSettings,
  hosts: readonly InventoryHost[],
  outputOptions: RunOutputOptions,
  start: (runOptions: { keepOutput: false; remote: RedisHosts | undefined }) => HostRun,
): Promise<void> {
  const remote = await remoteHosts(settings, io);
  await runAndReport(io, hosts, { ...outputOptions, runId: remote?.runId }, (runOptions) => start({ ...runOptions, remote }));
}

/**
 * `--attach RUN_ID`: the earlier run's hosts and tasks from its plan, each
 * host's records as its workers wrote them (or write them still), with the
 * command's own output options (`overrides`: ping's text lines, say).
 */
export async function gatherAttached(io: CliIo, args: OutputArgs, settings: EffectiveSettings, attach: string, overrides: Partial<RunOutputOptions> = {}): Promise<void> {
  const remote = (await remoteHosts(settings, io, attach))!;
  const { tasks, hosts: names } = remote.attachedRun()!;
  const hosts = names.map((name) => ({ name, vars: {}, groups: ['all', 'ungrouped'] }));
  // Nothing is connected from here: every host waits for its record at once.
  const outputOptions = { ...toRunOutputOptions(args, settings, io), forks: 1, runId: remote.runId, reportTitle: `run ${remote.runId}`, ...overrides };
  await runAndReport(io, hosts, outputOptions, (runOptions) => new HostRun(hosts, tasks, { ...runOptions, remote, forks: Math.max(1, hosts.length) }));
}
