import { EventEmitter } from 'node:events';
import { TemplatedVariables } from '../inventory/index.js';
import type { InventoryHost } from '../inventory/index.js';
import { SshpoolError } from '../errors.js';
import { Pool } from '../pool/index.js';
import { checkDescriptorLimit } from './fd-limit.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import type { HostResult } from './host-result.js';
import { commandWork, pingWork, runHostTask, skippedResult } from './host-task.js';
import type { HostWork } from './host-task.js';
import { defaults } from '../settings/schema.js';
import { checkTimerOptions } from './run-options.js';
import type { RunOptions } from './run-options.js';
import { SshContext } from './ssh-context.js';
import { resolveTarget } from './target-settings.js';
import type { Target, TargetSettings } from './target-settings.js';

/** A host by name (settings from ssh_config) or as the inventory describes it. */
export type HostInput = string | InventoryHost;

export interface HostStartEvent {
  host: string;
  index: number;
  slot: number;
}

export interface HostOutputEvent {
  host: string;
  stream: OutputStreamName;
  chunk: Buffer;
}

/** A command's output on a host is complete; its record comes with hostDone. */
export interface HostOutputEndEvent {
  host: string;
  /** The command's index in a several-command run (0 otherwise). */
  command: number;
}

export type HostRunEvents = {
  hostStart: [HostStartEvent];
  output: [HostOutputEvent];
  outputEnd: [HostOutputEndEvent];
  /**
   * Once per host and command, as each finishes (completion order); `command`
   * is the command's index in a several-command run (always 0 otherwise).
   */
  hostDone: [HostResult, HostDoneDetail];
  /** Said once per run, before any host starts: an ssh_config line sshpool ignored, inventory vars asking for something not applied yet. */
  warning: [string];
};

export interface HostDoneDetail {
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
}

/**
 * A run over many hosts on a bounded Pool. Listen for live events, or await
 * `results` for every host's record in input order (as `res.get()` in
 * submission order); with several commands per host, the records of the first
 * command for every host, then those of the second, and so on. Tasks start on the next tick, so listeners attached right
 * after creation miss nothing.
 */
export class HostRun extends EventEmitter<HostRunEvents> {
  readonly results: Promise<HostResult[]>;
  private pool: Pool | undefined;
  private stopped = false;

  constructor(hosts: readonly HostInput[], workFor: (host: string, run: HostRun) => readonly HostWork[], options: HostRunOptions = {}) {
    super();
    this.results = this.execute(hosts, workFor, options);
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Kills running commands and skips hosts not yet started; `results` still resolves. */
  stop(): void {
    this.stopped = true;
    void this.pool?.terminate();
  }

  private async execute(hosts: readonly HostInput[], workFor: (host: string, run: HostRun) => readonly HostWork[], options: HostRunOptions): Promise<HostResult[]> {
    checkTimerOptions(options);
    const context = await SshContext.create(options);
    try {
      // Listeners attached right after the run was made are in place by now.
      for (const warning of context.sshConfig.warnings) this.emit('warning', warning);
      // One for the run: a host's templated vars can read other hosts' (hostvars), each rendered once.
      const variables = new TemplatedVariables({ vault: options.vaultSecrets });
      const targets = hosts.map((input) => {
        const host = toInventoryHost(input);
        return resolveTarget(host, options, context.sshConfig, variables.of(host).get);
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
      else await context.prepare(sshTargets);
      const plans = targets.map((target) => ({ target, works: workFor(target.label, this) }));
      const becoming = targets.filter((target) => target.become?.enabled);
      if (becoming.length > 0 && plans[0]?.works.some((work) => work.command !== null)) this.emit('warning', becomeNotApplied(becoming));
      // The pool numbers only the hosts given to it (refused ones never are); events carry the input index.
      const inputIndexOf: number[] = [];
      const pool = new Pool({ size: forks });
      this.pool = pool;
      pool.on('taskStart', ({ index, slot }) => {
        const inputIndex = inputIndexOf[index] as number;
        this.emit('hostStart', { host: (targets[inputIndex] as Target).label, index: inputIndex, slot });
      });
      const emitDone = (results: readonly HostResult[]): void => results.forEach((result, command) => this.emit('hostDone', result, { command }));
      const kept = (results: HostResult[]): HostResult[] => (options.keepOutput === false ? results.map(withoutOutput) : results);
      const runAndEmit = async (...args: Parameters<typeof runHostTask>): Promise<HostResult[]> => {
        const results = await runHostTask(...args);
        emitDone(results);
        return kept(results);
      };
      const pending = plans.map(({ target, works }, inputIndex) => {
        if (this.stopped || target.kind === 'refused') return { target, works, handle: undefined };
        inputIndexOf.push(inputIndex);
        return { target, works, handle: pool.applyAsync(runAndEmit, [context, target, attemptOf(target), works]) };
      });
      pool.close();
      const perHost = await Promise.all(
        pending.map(async ({ target, works, handle }) => {
          try {
            if (target.kind === 'refused') throw target.error;
            if (!handle && abortedAtStart) throw new SshpoolError('ABORTED', `${target.label}: run stopped (its signal was aborted) before it started`);
            if (!handle) throw new SshpoolError('SKIPPED', `${target.label}: run stopped before this host started`);
            return await handle.get();
          } catch (error) {
            const results = works.map((work) => skippedResult(target, work, attemptOf(target), error));
            emitDone(results);
            return kept(results);
          }
        }),
      );
      const commands = pending[0]?.works.length ?? 0;
      return Array.from({ length: commands }, (_, command) => perHost.map((results) => results[command] as HostResult)).flat();
    } finally {
      context.close();
    }
  }
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

function toInventoryHost(host: HostInput): InventoryHost {
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
  return new HostRun(
    hosts,
    (host, run) => {
      const onOutput = (stream: OutputStreamName, chunk: Buffer) => run.emit('output', { host, stream, chunk });
      return commands.map((line, command) =>
        commandWork(line, { commandTimeoutMs: options.commandTimeoutMs, maxOutputBytes, onOutput, onOutputEnd: () => run.emit('outputEnd', { host, command }) }),
      );
    },
    options,
  );
}

/** Runs `command` (or each of several, over one connection per host) on every host; records as HostRun's `results`. */
export function runCommand(hosts: readonly HostInput[], command: string | readonly string[], options: CommandRunOptions = {}): Promise<HostResult[]> {
  return streamCommand(hosts, command, options).results;
}

/** Connects and authenticates only; `ok` means a command could run there. */
export function streamPing(hosts: readonly HostInput[], options: HostRunOptions = {}): HostRun {
  return new HostRun(hosts, () => [pingWork], options);
}

export function pingHosts(hosts: readonly HostInput[], options: HostRunOptions = {}): Promise<HostResult[]> {
  return streamPing(hosts, options).results;
}
