import { mkdir, open, readFile } from 'node:fs/promises';
import { FleetError } from './fleet-error.js';
import { OwnedProcess } from './owned-process.js';
import { waitForBanner } from './ports.js';

const SSHD = '/usr/sbin/sshd';
const READY_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 20;

export class SshdStartError extends FleetError {
  constructor(
    message: string,
    /** Someone else held the port: worth another try on a new one. */
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}

/**
 * sshd puts every connection in a session of its own (setsid), so neither its process group nor a kill
 * of the listener reaches established sessions. Run as init of its own pid namespace, its death makes
 * the kernel kill every process in that namespace, sessions included, and no orphan is left behind.
 * An unprivileged user needs a user namespace for that, mapped to itself so sshd still runs as that user.
 */
function namespaceArgs(): string[] {
  const root = process.getuid?.() === 0;
  return [...(root ? [] : ['--map-current-user']), '--pid', '--fork', '--kill-child'];
}

export interface SshdLaunch {
  name: string;
  configPath: string;
  logPath: string;
  address: string;
  port: number;
}

export interface RunningSshd {
  process: OwnedProcess;
  /** sshd's own pid (its wrapper's child), as the rest of the machine sees it. */
  pid: number;
}

/** Starts `sshd -D -e` (not daemonized: its pid is ours) and resolves once it sends its SSH banner. */
export async function startSshd(launch: SshdLaunch): Promise<RunningSshd> {
  // sshd running as root refuses to start without its privilege separation directory.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const log = await open(launch.logPath, 'a');
  let sshd: OwnedProcess;
  try {
    sshd = OwnedProcess.spawn('unshare', [...namespaceArgs(), SSHD, '-D', '-e', '-f', launch.configPath], {
      stdio: ['ignore', log.fd, log.fd],
      wrapped: true,
    });
  } finally {
    await log.close();
  }
  const ready = await waitForBanner(launch.address, launch.port, {
    timeoutMs: READY_TIMEOUT_MS,
    giveUp: () => !sshd.alive,
  });
  const pid = ready && sshd.alive ? sshd.workPid() : undefined;
  if (pid !== undefined) return { process: sshd, pid };

  const why = sshd.alive
    ? `sent no SSH banner on ${launch.address}:${launch.port} within ${READY_TIMEOUT_MS} ms`
    : `exited (code ${sshd.exitCode}) before it was ready on ${launch.address}:${launch.port}`;
  await sshd.kill();
  const tail = await logTail(launch.logPath);
  throw new SshdStartError(
    `sshd for ${launch.name} ${why}; last lines of ${launch.logPath}:\n${tail}`,
    /Address already in use|Cannot bind any address/.test(tail),
  );
}
