import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { FleetError } from './fleet-error.js';
import { childPids } from './proc.js';

const live = new Set<OwnedProcess>();
let exitHookInstalled = false;

/** A crashed or aborted test run must not leave daemons behind; 'exit' handlers may only do synchronous work. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const owned of live) owned.killSync();
  };
  process.on('exit', killAll);
  // A signal's default action ends the process without 'exit': stop the daemons, then die of it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface OwnedProcessOptions {
  stdio?: StdioOptions;
  /**
   * The command is a wrapper (`unshare --fork`) whose single child does the work: signals go to that
   * child so the wrapper stays alive to reap it.
   */
  wrapped?: boolean;
}

/**
 * A daemon the test harness started and must stop: its own process group (detached), killed on
 * process exit if still alive.
 */
export class OwnedProcess {
  readonly exited: Promise<void>;
  private running = true;
  private workerPid: number | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly description: string,
    private readonly wrapped: boolean,
  ) {
    this.exited = new Promise((resolve) => {
      const finish = (): void => {
        this.running = false;
        live.delete(this);
        resolve();
      };
      child.once('exit', finish);
      // A command that cannot be spawned reports 'error' and never 'exit'.
      child.once('error', finish);
    });
  }

  static spawn(command: string, args: readonly string[], options: OwnedProcessOptions = {}): OwnedProcess {
    installExitHook();
    const child = spawn(command, args, { detached: true, stdio: options.stdio ?? 'ignore' });
    const owned = new OwnedProcess(child, `${command} ${args.join(' ')}`, options.wrapped ?? false);
    if (child.pid !== undefined) live.add(owned);
    return owned;
  }

  get alive(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** The pid of the process doing the work: the wrapper's child if wrapped (undefined until it has forked). */
  workPid(): number | undefined {
    if (!this.wrapped) return this.child.pid;
    if (this.workerPid === undefined && this.child.pid !== undefined && this.running) {
      this.workerPid = childPids(this.child.pid)[0];
    }
    return this.workerPid;
  }

  killSync(): void {
    const groupLeader = this.child.pid;
    if (!this.running || groupLeader === undefined) return;
    signal(this.workPid() ?? -groupLeader, 'SIGKILL');
  }

  /** SIGKILLs the process and resolves once it has been reaped; the whole group is the fallback. */
  async kill(): Promise<void> {
    this.killSync();
    if (await settlesWithin(this.exited, 5_000)) return;
    if (this.child.pid !== undefined) signal(-this.child.pid, 'SIGKILL');
    if (await settlesWithin(this.exited, 5_000)) return;
    throw new FleetError(`process ${this.child.pid} (${this.description}) is still alive after SIGKILL`);
  }
}
