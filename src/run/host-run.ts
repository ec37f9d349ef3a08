import { EventEmitter } from 'node:events';
import { TemplatedVariables } from '../inventory/index.js';
import type { InventoryHost } from '../inventory/index.js';
import { SshpoolError } from '../errors.js';
import type { ErrorRecord } from '../errors.js';
import { Pool } from '../pool/index.js';
import { callHook } from '../pool/hooks.js';
import { INPUT_ORDER, Scheduler } from '../scheduler/index.js';
import type { SchedulePolicy } from '../scheduler/index.js';
import { commandTask, defaultExecutors, PING_TASK } from '../tasks/index.js';
import type { CommandTaskOptions, CopyTask, EnvironmentVia, ExecutorRegistry, FetchTask, HostTask } from '../tasks/index.js';
import { scriptTask, withExportedEnvironment } from '../tasks/index.js';
import { checkDescriptorLimit } from './fd-limit.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostResult } from './host-result.js';
import { runHostTask, skippedResults } from './host-task.js';
import { CommandTemplateError, renderCommandTasks } from './command-template.js';
import type { HostTaskListener } from './host-task.js';
import { defaults } from '../settings/schema.js';
import { checkTimerOptions } from '../settings/run-options.js';
import type { RunOptions } from '../settings/run-options.js';
import { SessionCache } from '../session/session-cache.js';
import { resolveTarget } from '../ssh/target-settings.js';
import { SshConfigResolver } from '../ssh/ssh-config.js';
import { checkNoSecrets, remoteConnectionOptions, remoteHost } from './remote-hosts.js';
import type { RemoteHost, RemoteHosts } from './remote-hosts.js';
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

/** A batch of a run of several (--batch) is started (the `batchStart` event). */
export interface BatchStartEvent {
  /** Its number, from 1. */
  batch: number;
  /** How many batches the run has. */
  of: number;
  /** How many hosts it has. */
  hosts: number;
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
  /** A batch starts, in a run of several batches; its hosts' records carry its number. */
  batchStart: [BatchStartEvent];
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
   * Render each command line's `{{ }}` with the host's vars first (`--vars`),
   * substituted values shell-quoted unless `| raw`, and likewise a script's
   * arguments, a copy's remote target and a fetch's remote paths (as rendered,
   * no shell reads them); a host they cannot be rendered for fails with
   * CommandTemplateError before anything runs on it.
   * Records keep the command as written (a rendered value may be a secret).
   * Default false: braces pass through to the remote shell untouched.
   */
  templateCommands?: boolean;
  /**
   * The caller's session cache: connections are kept there after the run, for
   * the next run on the same hosts, until the caller closes it. Without it the
   * run makes its own, closing each host's connection as the host finishes.
   */
  sessions?: SessionCache;
  /**
   * Where the hosts' work is done when not here: workers elsewhere (see
   * src/queue's RedisHosts). The run still resolves, schedules and records
   * every host; each host's connection vars (never a password, which refuses
   * the run) go to the remote side, whose keys, agent, known_hosts and
   * ssh_config reach it. `sessions` is not used then.
   */
  remote?: RemoteHosts;
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
    const { remote } = options;
    if (remote) checkNoSecrets({ askPass: options.passwordPrompt !== undefined, askBecomePass: options.becomePassword !== undefined });
    // A run's own cache lives as long as the run: its jump connections serve every host behind them.
    // A remote run reaches no host from here: no ssh_config of this machine decides anything (the workers' do).
    const sessions = remote ? undefined : (options.sessions ?? (await SessionCache.create(options, { keepIdleJumps: true })));
    const sshConfig = sessions?.sshConfig ?? (await SshConfigResolver.load('/dev/null'));
    try {
      // Listeners attached right after the run was made are in place by now.
      for (const warning of sshConfig.warnings) this.emit('warning', warning);
      // One for the run: a host's templated vars can read other hosts' (hostvars), each rendered once.
      const variables = new TemplatedVariables({ vault: options.vaultSecrets });
      const hostTasks: (readonly HostTask[])[] = [];
      const remoteHosts: RemoteHost[] = [];
      const targets = hosts.map((input, index): Target => {
        const host = toInventoryHost(input);
        const target = resolveTarget(host, options, sshConfig, variables.of(host).get);
        hostTasks[index] = tasks;
        if (remote && target.kind !== 'refused') remoteHosts[index] = remoteHost(index, host, variables.of(host).get);
        if (!options.templateCommands || target.kind === 'refused') return target;
        try {
          hostTasks[index] = renderCommandTasks(tasks, host.name, variables.of(host));
          return target;
        } catch (error) {
          if (!(error instanceof CommandTemplateError)) throw error;
          return { kind: 'refused', label: target.label, hostname: target.hostname, port: target.port, user: target.user, become: target.become, error };
        }
      });
      const attemptOf = (target: Target): number => options.attempts?.get(target.label) ?? 1;
      const forks = options.forks ?? defaults.forks;
      const sshTargets = targets.filter((target): target is TargetSettings => target.kind === 'ssh');
      // A host reached through its own ProxyCommand holds three pipes where others hold one socket.
      const descriptorsPerHost = sshTargets.some((target) => target.proxyCommand !== undefined) ? 3 : 1;
      if (!remote) checkDescriptorLimit(Math.min(forks, targets.length), descriptorsPerHost);
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
      const policy = options.policy ?? INPUT_ORDER;
      const batchCount = policy.waveCount?.(reachable.length) ?? 1;
      let batch = 0;
      // The errors of the attempts a host is retried after, until its final record takes them: only hosts in a backoff are here.
      const earlierErrors = new Map<number, ErrorRecord[]>();
      const withRunFields = (index: number, results: HostResult[]): HostResult[] => {
        const previousErrors = earlierErrors.get(index);
        earlierErrors.delete(index);
        if (!previousErrors && batchCount <= 1) return results;
        return results.map((result) => ({ ...result, ...(previousErrors ? { previousErrors } : {}), ...(batchCount > 1 ? { batch } : {}) }));
      };
      const scheduler = new Scheduler<HostResult[]>(new Pool({ size: forks }), policy, {
        run: (host, attempt, task) => {
          const { target, inputIndex } = reachable[host.index]!;
          const { slot } = task;
          // As the pool's own events: a throwing listener is reported, and the host still runs.
          callHook(() => this.emit('hostStart', { host: target.label, index: inputIndex, slot }));
          const hostPlan = { ...plan, tasks: hostTasks[inputIndex]!, recordedTasks: tasks, listener: this.listenerFor(target.label) };
          if (!remote) return runHostTask({ cache: sessions as SessionCache, keep: options.sessions !== undefined }, target, attempt, hostPlan, task);
          const ownTasks = hostPlan.tasks === tasks ? undefined : hostPlan.tasks;
          return remote
            .run(remoteHosts[inputIndex]!, attempt, ownTasks, task.signal, hostPlan.listener)
            .then((records) => (records instanceof SshpoolError ? skippedResults(target, plan, attempt, records) : records));
        },
        finished: (host, results) => report(withRunFields(host.index, results)),
        skipped: (host, attempt, reason) => {
          const { target } = reachable[host.index]!;
          return report(withRunFields(host.index, skippedResults(target, plan, attempt, reason ?? stoppedBeforeStart(target, abortedAtStart))));
        },
        retrying: (host, results) => {
          const error = results[0]?.error;
          if (error) earlierErrors.set(host.index, [...(earlierErrors.get(host.index) ?? []), error]);
        },
        waveStarted: (number, positions) => {
          batch = number;
          if (batchCount > 1) callHook(() => this.emit('batchStart', { batch: number, of: batchCount, hosts: positions.length }));
        },
      });
      const scheduledHosts = reachable.map(({ target }, index) => ({ index, label: target.label, attempt: attemptOf(target) }));
      // A signal aborted before the run was made never fires 'abort': no host is contacted, no passphrase asked.
      const abortedAtStart = options.signal?.aborted === true;
      if (abortedAtStart) this.stopped = true;
      else if (remote) await remote.open({ tasks, hosts: targets.map((target) => target.label), connection: remoteConnectionOptions(options) });
      else await sessions?.prepare(sshTargets, firstSshTargets(scheduler.firstStarts(scheduledHosts), reachable));
      this.scheduler = scheduler;
      if (this.stopped) scheduler.stop();
      const scheduled = scheduler.run(scheduledHosts);
      const refusedResults = new Map(refused.map(({ target, error }) => [target, report(skippedResults(target, plan, attemptOf(target), error))]));
      const reachableResults = await scheduled;
      let nextReachable = 0;
      const perHost = targets.map((target) => refusedResults.get(target) ?? (reachableResults[nextReachable++] as HostResult[]));
      return Array.from({ length: tasks.length }, (_, command) => perHost.map((results) => results[command] as HostResult)).flat();
    } finally {
      if (remote) await remote.close();
      else if (!options.sessions) sessions?.close();
      // The caller's cache outlives the run; the early connects it made for this run's hosts do not.
      else sessions?.closeEarly();
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

/** The SSH targets among the hosts the scheduler starts first (positions in `reachable`): their connects can start early. */
function firstSshTargets(positions: readonly number[], reachable: readonly { target: ReachableTarget }[]): TargetSettings[] {
  return positions.map((position) => reachable[position]!.target).filter((target): target is TargetSettings => target.kind === 'ssh');
}

function withoutOutput(result: HostResult): HostResult {
  return { ...result, stdout: '', stderr: '' };
}

/** A plain name is a host of ssh_config alone: no inventory vars, in no group but all and ungrouped. */
export function toInventoryHost(host: HostInput): InventoryHost {
  return typeof host === 'string' ? { name: host, vars: {}, groups: ['all', 'ungrouped'] } : host;
}

export interface CommandRunOptions extends HostRunOptions {
  /** Per host; 0 or unset means no limit. */
  commandTimeoutMs?: number;
  /** Sent to every host's command on its stdin, then EOF (pssh -I); one buffer for all of them. */
  stdin?: Uint8Array;
  /** Ask for a terminal: stdout and stderr then come merged, as stdout. */
  pty?: boolean;
  /** Environment variables for every command. */
  env?: Readonly<Record<string, string>>;
  /** How `env` is given: `request` (default, through the exec request; refusals are in the records' warnings) or `export` in the line. */
  envVia?: EnvironmentVia;
}

/**
 * Starts `command` on every host; see HostRun for events and results. Several
 * commands run one after the other on each host over one SSH connection, each
 * whatever the previous one's outcome (as separate runs would), each with its
 * own record; the timeout applies to each command.
 */
export function streamCommand(hosts: readonly HostInput[], command: string | readonly string[], options: CommandRunOptions = {}): HostRun {
  const commands = typeof command === 'string' ? [command] : command;
  const { env, envVia = 'request' } = options;
  const exported = env !== undefined && envVia === 'export';
  const taskOptions = { ...commandTaskOptions(options), env: exported ? undefined : env };
  return new HostRun(hosts, commands.map((line) => commandTask(exported ? withExportedEnvironment(line, env) : line, taskOptions)), options);
}

/** What every command task of a run takes from its options. */
export function commandTaskOptions(options: CommandRunOptions): CommandTaskOptions {
  const { commandTimeoutMs: timeoutMs, stdin, pty } = options;
  return { timeoutMs, maxOutputBytes: options.maxOutputBytes ?? defaults.maxOutputBytes, stdin, pty };
}

/** Runs `command` (or each of several, over one connection per host) on every host; records as HostRun's `results`. */
export function runCommand(hosts: readonly HostInput[], command: string | readonly string[], options: CommandRunOptions = {}): Promise<HostResult[]> {
  return streamCommand(hosts, command, options).results;
}

/** What streamScript takes beside CommandRunOptions (whose `stdin` it cannot take: the script goes there). */
export interface ScriptRunOptions extends Omit<CommandRunOptions, 'stdin'> {
  /** The script's file name on the hosts (its `$0`); default `script`. */
  scriptName?: string;
}

/**
 * Runs a script on every host (scriptTask): uploaded into a private
 * temporary directory, run with `args` through its shebang, removed whatever
 * its outcome (a failure, the timeout, a stop). See HostRun for events and results.
 */
export function streamScript(hosts: readonly HostInput[], script: Uint8Array, args: readonly string[], options: ScriptRunOptions = {}): HostRun {
  const { timeoutMs, maxOutputBytes, pty } = commandTaskOptions(options);
  return new HostRun(hosts, [scriptTask(script, args, { timeoutMs, maxOutputBytes, pty, env: options.env, envVia: options.envVia, name: options.scriptName })], options);
}

/** Connects and authenticates only; `ok` means a command could run there. */
export function streamPing(hosts: readonly HostInput[], options: HostRunOptions & PingOptions = {}): HostRun {
  const { trust, ...runOptions } = options;
  return new HostRun(hosts, [trust ? { ...PING_TASK, trust } : PING_TASK], runOptions);
}

/** What ping records beyond ok or not. */
export interface PingOptions {
  /** Each record's `detail.trust` says how the host key was verified and what logged in (`ping -v`). */
  trust?: boolean;
}

/** streamPing's records, in input order. */
export function pingHosts(hosts: readonly HostInput[], options: HostRunOptions & PingOptions = {}): Promise<HostResult[]> {
  return streamPing(hosts, options).results;
}

/**
 * Runs a copy (see copyTask) or a fetch (see fetchTask) on every host: one record
 * per host, its `detail` a FileTransferDetail; `transfer` events count the bytes.
 */
export function streamFiles(hosts: readonly HostInput[], task: CopyTask | FetchTask, options: HostRunOptions = {}): HostRun {
  return new HostRun(hosts, [task], options);
}
