import { EventEmitter } from 'node:events';
import { TemplatedVariables } from '../inventory/index.js';
import type { InventoryHost } from '../inventory/index.js';
import { SshpoolError } from '../errors.js';
import { currentTask, Pool } from '../pool/index.js';
import { callHook } from '../pool/hooks.js';
import { INPUT_ORDER, Scheduler } from '../scheduler/index.js';
import type { SchedulePolicy } from '../scheduler/index.js';
import { commandTask, defaultExecutors, PING_TASK } from '../tasks/index.js';
import type { CopyTask, ExecutorRegistry, FetchTask, HostTask } from '../tasks/index.js';
import { checkDescriptorLimit } from './fd-limit.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostResult } from './host-result.js';
import { runHostTask, skippedResults } from './host-task.js';
import type { HostTaskListener } from './host-task.js';
import { defaults } from '../settings/schema.js';
import { checkTimerOptions } from '../settings/run-options.js';
import type { RunOptions } from '../settings/run-options.js';
import { SessionCache } from '../session/session-cache.js';
import { resolveTarget } from '../ssh/target-settings.js';
import type { ReachableTarget, Target, TargetSettings } from '../ssh/target-settings.js';

/** A host by name (settings from ssh_config) or as the inventory describes it. */
export type HostInput = string | InventoryHost;

/** A host's task started (the `hostStart` event). */
export interface HostStartEvent {
  /** The host's name, as in its record. */
  host: string;
  /** Its position in the run's hosts. */
  index: number;
  /** The pool slot (0..forks-1) running it. */
  slot: number;
}

/** Output from a host as it arrives (the `output` event); untrusted bytes. */
export interface HostOutputEvent {
  /** The host's name. */
  host: string;
  /** Which of the command's streams. */
  stream: OutputStreamName;
  /** As received, not split into lines, before any cap. */
  chunk: Buffer;
}

/** A command's output on a host is complete; its record comes with hostDone. */
export interface HostOutputEndEvent {
  /** The host's name. */
  host: string;
  /** The command's index in a several-command run (0 otherwise). */
  command: number;
}

/** File bytes a host's copy or fetch sent or received since the last such event (the `transfer` event). */
export interface HostTransferEvent {
  /** The host's name. */
  host: string;
  /** Bytes acknowledged by the host (copy) or written here (fetch). */
  bytes: number;
}

/** The events of a HostRun and their arguments. */
export type HostRunEvents = {
  /** A host took a pool slot. */
  hostStart: [HostStartEvent];
  /** A chunk of a host's output. */
  output: [HostOutputEvent];
  /** A command's output on a host is complete. */
  outputEnd: [HostOutputEndEvent];
  /** Bytes of a copy or fetch as they go, for progress. */
  transfer: [HostTransferEvent];
  /**
   * Once per host and command, as each finishes (completion order); `command`
   * is the command's index in a several-command run (always 0 otherwise).
   */
  hostDone: [HostResult, HostDoneDetail];
  /** Said once per run, before any host starts: an ssh_config line sshpool ignored, inventory vars asking for something not applied yet. */
  warning: [string];
};

/** The second argument of `hostDone`. */
export interface HostDoneDetail {
  /** The command's index in a several-command run (0 otherwise). */
  command: number;
}

export interface HostRunOptions extends RunOptions {
  /** The attempt number to record per host name (default 1), e.g. when re-running an earlier run's failures. */
  attempts?: ReadonlyMap<string, number>;
  /**
   * false: the records in `results` come without stdout and stderr (the
   * hostDone events carry them whole), so that a run whose hosts print much
   * holds no more of it than its listeners keep. Default true.
   */
  keepOutput?: boolean;
  /** What runs each kind of task; default `defaultExecutors()` (command, ping, with-cleanup). */
  executors?: ExecutorRegistry;
  /** Which host starts next and when to stop starting more (one instance per run); default INPUT_ORDER, today's behaviour. */
  policy?: SchedulePolicy<HostResult[]>;
  /**
   * The caller's session cache: connections are kept there after the run, for
   * the next run on the same hosts, until the caller closes it. Without it the
   * run makes its own, closing each host's connection as the host finishes.
   */
  sessions?: SessionCache;
}

/**
 * A run of the same tasks (plain data) on many hosts, on a bounded Pool fed
 * by a Scheduler. Listen for live events, or await `results` for every host's
 * record in input order (as `res.get()` in submission order); with several
 * tasks per host, the records of the first task for every host, then those of
 * the second, and so on. Tasks start on the next tick, so listeners attached
 * right after creation miss nothing.
 */
export class HostRun extends EventEmitter<HostRunEvents> {
  /**
   * Every host's record in input order. Host failures are records, never rejections: it rejects only for
   * bad input found before any host is contacted (a UsageError naming the option, UnknownTaskKindError,
   * an SshConfigError, a descriptor limit too low for forks).
   */
  readonly results: Promise<HostResult[]>;
  private scheduler: Scheduler<HostResult[]> | undefined;
  private stopped = false;

  constructor(hosts: readonly HostInput[], tasks: readonly HostTask[], options: HostRunOptions = {}) {
    super();
    this.results = this.execute(hosts, tasks, options);
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Kills running commands and skips hosts not yet started; `results` still resolves. */
  stop(): void {
    this.stopped = true;
    this.scheduler?.stop();
  }

  private async execute(hosts: readonly HostInput[], tasks: readonly HostTask[], options: HostRunOptions): Promise<HostResult[]> {
    checkTimerOptions(options);
    const executors = options.executors ?? defaultExecutors();
    for (const task of tasks) executors.check(task);
    const plan = { tasks, executors };
    // A run's own cache lives as long as the run: its jump connections serve every host behind them.
    const sessions = options.sessions ?? (await SessionCache.create(options, { keepIdleJumps: true }));
    try {
      // Listeners attached right after the run was made are in place by now.
      for (const warning of sessions.sshConfig.warnings) this.emit('warning', warning);
      // One for the run: a host's templated vars can read other hosts' (hostvars), each rendered once.
      const variables = new TemplatedVariables({ vault: options.vaultSecrets });
      const targets = hosts.map((input) => {
        const host = toInventoryHost(input);
        return resolveTarget(host, options, sessions.sshConfig, variables.of(host).get);
      });
      const attemptOf = (target: Target): number => options.attempts?.get(target.label) ?? 1;
      const forks = options.forks ?? defaults.forks;
      const sshTargets = targets.filter((target): target is TargetSettings => target.kind === 'ssh');
      // A host reached through its own ProxyCommand holds three pipes where others hold one socket.
      const descriptorsPerHost = sshTargets.some((target) => target.proxyCommand !== undefined) ? 3 : 1;
      checkDescriptorLimit(Math.min(forks, targets.length), descriptorsPerHost);
      // A signal aborted before the run was made never fires 'abort': no host is contacted, no passphrase asked.
      const abortedAtStart = options.signal?.aborted === true;
      if (abortedAtStart) this.stopped = true;
      else await sessions.prepare(sshTargets);
      const becoming = targets.filter((target) => target.become?.enabled);
      if (becoming.length > 0 && tasks.some((task) => executors.commandLine(task) !== null)) this.emit('warning', becomeNotApplied(becoming));
      const emitDone = (results: readonly HostResult[]): void => results.forEach((result, command) => this.emit('hostDone', result, { command }));
      const kept = (results: HostResult[]): HostResult[] => (options.keepOutput === false ? results.map(withoutOutput) : results);
      const report = (results: HostResult[]): HostResult[] => {
        emitDone(results);
        return kept(results);
      };
      // Refused hosts are recorded, never scheduled; the scheduler numbers the others.
      const reachable: { target: ReachableTarget; inputIndex: number }[] = [];
      const refused: { target: Target; error: unknown }[] = [];
      targets.forEach((target, inputIndex) => (target.kind === 'refused' ? refused.push({ target, error: target.error }) : reachable.push({ target, inputIndex })));
      const scheduler = new Scheduler<HostResult[]>(new Pool({ size: forks }), options.policy ?? INPUT_ORDER, {
        run: (host, attempt) => {
          const { target, inputIndex } = reachable[host.index]!;
          const slot = currentTask().slot;
          // As the pool's own events: a throwing listener is reported, and the host still runs.
          callHook(() => this.emit('hostStart', { host: target.label, index: inputIndex, slot }));
          return runHostTask({ cache: sessions, keep: options.sessions !== undefined }, target, attempt, { ...plan, listener: this.listenerFor(target.label) });
        },
        finished: (_host, results) => report(results),
        skipped: (host, attempt, reason) => {
          const { target } = reachable[host.index]!;
          return report(skippedResults(target, plan, attempt, reason ?? stoppedBeforeStart(target, abortedAtStart)));
        },
      });
      this.scheduler = scheduler;
      if (this.stopped) scheduler.stop();
      const scheduled = scheduler.run(reachable.map(({ target }, index) => ({ index, label: target.label, attempt: attemptOf(target) })));
      const refusedResults = new Map(refused.map(({ target, error }) => [target, report(skippedResults(target, plan, attemptOf(target), error))]));
      const reachableResults = await scheduled;
      let nextReachable = 0;
      const perHost = targets.map((target) => refusedResults.get(target) ?? (reachableResults[nextReachable++] as HostResult[]));
      return Array.from({ length: tasks.length }, (_, command) => perHost.map((results) => results[command] as HostResult)).flat();
    } finally {
      if (!options.sessions) sessions.close();
    }
  }

  /** Live output of a running host's tasks, as the run's events. */
  private listenerFor(host: string): HostTaskListener {
    return {
      output: (_task, stream, chunk) => this.emit('output', { host, stream, chunk }),
      outputEnd: (command) => this.emit('outputEnd', { host, command }),
      bytes: (_task, bytes) => this.emit('transfer', { host, bytes }),
    };
  }
}

/** Why a host the run never gave to the pool has no outcome of its own. */
function stoppedBeforeStart(target: Target, abortedAtStart: boolean): SshpoolError {
  if (abortedAtStart) return new SshpoolError('ABORTED', `${target.label}: run stopped (its signal was aborted) before it started`);
  return new SshpoolError('SKIPPED', `${target.label}: run stopped before this host started`);
}

function withoutOutput(result: HostResult): HostResult {
  return { ...result, stdout: '', stderr: '' };
}

/** One warning for the whole run, naming a few of the hosts. */
function becomeNotApplied(hosts: readonly Target[]): string {
  const shown = hosts.slice(0, 3).map((host) => host.label).join(', ');
  const more = hosts.length > 3 ? ` and ${hosts.length - 3} more` : '';
  return `become is not applied yet: ansible_become is set for ${shown}${more}; the commands run as the login user, without privilege escalation`;
}

/** A plain name is a host of ssh_config alone: no inventory vars, in no group but all and ungrouped. */
export function toInventoryHost(host: HostInput): InventoryHost {
  return typeof host === 'string' ? { name: host, vars: {}, groups: ['all', 'ungrouped'] } : host;
}

export interface CommandRunOptions extends HostRunOptions {
  /** Per host; 0 or unset means no limit. */
  commandTimeoutMs?: number;
}

/**
 * Starts `command` on every host; see HostRun for events and results. Several
 * commands run one after the other on each host over one SSH connection, each
 * whatever the previous one's outcome (as separate runs would), each with its
 * own record; the timeout applies to each command.
 */
export function streamCommand(hosts: readonly HostInput[], command: string | readonly string[], options: CommandRunOptions = {}): HostRun {
  const maxOutputBytes = options.maxOutputBytes ?? defaults.maxOutputBytes;
  const commands = typeof command === 'string' ? [command] : command;
  return new HostRun(hosts, commands.map((line) => commandTask(line, { timeoutMs: options.commandTimeoutMs, maxOutputBytes })), options);
}

/** Runs `command` (or each of several, over one connection per host) on every host; records as HostRun's `results`. */
export function runCommand(hosts: readonly HostInput[], command: string | readonly string[], options: CommandRunOptions = {}): Promise<HostResult[]> {
  return streamCommand(hosts, command, options).results;
}

/** Connects and authenticates only; `ok` means a command could run there. */
export function streamPing(hosts: readonly HostInput[], options: HostRunOptions = {}): HostRun {
  return new HostRun(hosts, [PING_TASK], options);
}

/** streamPing's records, in input order. */
export function pingHosts(hosts: readonly HostInput[], options: HostRunOptions = {}): Promise<HostResult[]> {
  return streamPing(hosts, options).results;
}

/**
 * Runs a copy (see copyTask) or a fetch (see fetchTask) on every host: one record
 * per host, its `detail` a FileTransferDetail; `transfer` events count the bytes.
 */
export function streamFiles(hosts: readonly HostInput[], task: CopyTask | FetchTask, options: HostRunOptions = {}): HostRun {
  return new HostRun(hosts, [task], options);
}
