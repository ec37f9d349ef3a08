import { abortableDelay } from '../timer-delay.js';
import { SshpoolError } from '../errors.js';
import type { SshOptions } from '../settings/run-options.js';
import { connectAbortedError } from '../ssh/connection.js';
import type { SshConnection } from '../ssh/connection.js';
import { SshError } from '../ssh/errors.js';
import { runRemoteCommand } from '../ssh/remote-command.js';
import { openSftpFiles } from '../ssh/remote-files.js';
import type { RemoteCommandOptions, RemoteCommandOutcome } from '../ssh/remote-command.js';
import type { SshConfigResolver } from '../ssh/ssh-config.js';
import { SshContext } from '../ssh/ssh-context.js';
import type { ReachableTarget, TargetSettings } from '../ssh/target-settings.js';
import { WaitingSlots } from '../ssh/waiting-slots.js';
import { localSession } from './host-session.js';
import type { HostSession } from './host-session.js';

/** sshd's default MaxSessions: the channels a connection starts out allowed at once. */
export const DEFAULT_MAX_SESSIONS = 10;

/** The cache's own options, beside the SshOptions that decide ssh_config, prompts and the agent. */
export interface SessionCacheOptions {
  /** Channels (leases) at once on one connection before the server says otherwise; default sshd's MaxSessions default, 10. */
  maxSessionsPerConnection?: number;
  /**
   * Leave jump connections open while unused, until `close()`: for a cache that
   * lives one run, whose hosts behind a bastion come one after another.
   * Default false: a jump closes with the last connection through it.
   */
  keepIdleJumps?: boolean;
}

/** How `release` hands a lease back. */
export interface ReleaseOptions {
  /** true: leave the connection open for the next acquire of the same target; false: close it once no other lease holds it. */
  keep: boolean;
}

/** A session given out by `acquire`, to hand back to `release`. */
export type SessionLease = HostSession;

/** `acquire` on a cache that was closed. */
export class SessionsClosedError extends SshpoolError<'SESSIONS_CLOSED'> {
  constructor(label: string) {
    super('SESSIONS_CLOSED', `${label}: the session cache was closed`);
  }
}

/** One SSH connection with its leases, shared by the acquires of one target (same resolved settings). */
interface CachedConnection {
  key: string;
  connection: Promise<SshConnection>;
  slots: WaitingSlots;
  leases: number;
}

/**
 * Ready sessions, owned by the caller: `acquire` gives one (SSH: connected and
 * authenticated through its jump hops; local: this machine), `release` hands
 * it back, kept open for the next acquire or closed once unused. Several
 * leases share one connection, as many at once as the server takes channels
 * (sshd's MaxSessions); jump connections are shared and closed when nothing
 * goes through them. What SshContext shares (ssh_config, agent keys, key
 * files, known_hosts, the password) is shared by everything from one cache.
 */
export class SessionCache {
  private readonly connections = new Map<string, CachedConnection>();
  private readonly leases = new WeakMap<SessionLease, { entry: CachedConnection; holdsSlot: boolean } | null>();
  private closed = false;

  private constructor(
    private readonly context: SshContext,
    private readonly maxSessions: number,
  ) {}

  /**
   * Reads ssh_config (`options.sshConfigFile`, default ~/.ssh/config) once for every session of the cache.
   * @throws SshConfigError for an ssh_config that cannot be read or parsed.
   */
  static async create(options: SshOptions, cacheOptions: SessionCacheOptions = {}): Promise<SessionCache> {
    const context = await SshContext.create(options, { keepIdleJumps: cacheOptions.keepIdleJumps === true });
    return new SessionCache(context, cacheOptions.maxSessionsPerConnection ?? DEFAULT_MAX_SESSIONS);
  }

  /** The ssh_config every target of this cache is resolved through. */
  get sshConfig(): SshConfigResolver {
    return this.context.sshConfig;
  }

  /**
   * Reads the key and known_hosts files the targets need, asking passphrases and the password now;
   * meanwhile the TCP connects of `startingFirst` without a kept connection are under way (see SshContext.prepare).
   */
  prepare(targets: readonly TargetSettings[], startingFirst: readonly TargetSettings[] = []): Promise<void> {
    return this.context.prepare(
      targets,
      startingFirst.filter((target) => !this.connections.has(settingsKey(target))),
    );
  }

  /** Closes the early connects of `prepare` that no session took (the run that asked for them is over). */
  closeEarly(): void {
    this.context.closeEarly();
  }

  /**
   * A ready session for the target: a kept connection of the same settings, or a new one through its jumps.
   * Waits for a channel when the connection's MaxSessions are in use.
   * @throws SessionsClosedError after close(); SshError, HostKeyError, IdentityError, ... when connecting fails or `signal` aborts.
   */
  async acquire(target: ReachableTarget, signal: AbortSignal): Promise<SessionLease> {
    if (this.closed) throw new SessionsClosedError(target.label);
    if (target.kind === 'local') {
      const session = localSession(target);
      this.leases.set(session, null);
      return session;
    }
    const key = settingsKey(target);
    const entry = this.connections.get(key) ?? this.connect(key, target, signal);
    entry.leases += 1;
    let holdsSlot = false;
    try {
      await entry.slots.take(signal, () => connectAbortedError(target.label));
      holdsSlot = true;
      const connection = await entry.connection;
      if (connection.lostError) throw connection.lostError;
      const session = this.leasedSession(entry, connection, target);
      this.leases.set(session, { entry, holdsSlot });
      return session;
    } catch (error) {
      if (holdsSlot) entry.slots.give();
      this.leave(entry, false);
      throw error;
    }
  }

  /** A lease is handed back once; a second release of it, or one after `close()`, does nothing. */
  release(lease: SessionLease, options: ReleaseOptions): void {
    const held = this.leases.get(lease);
    this.leases.delete(lease);
    if (!held) return;
    if (held.holdsSlot) held.entry.slots.give();
    this.leave(held.entry, options.keep);
  }

  /** Closes every connection, kept or leased, and the jump connections; later acquires are refused. */
  close(): void {
    this.closed = true;
    const entries = [...this.connections.values()];
    this.connections.clear();
    for (const entry of entries) {
      entry.slots.failWaiting(() => new SshpoolError('SESSIONS_CLOSED', 'the session cache was closed'));
      entry.connection.then((c) => c.close(), () => undefined);
    }
    this.context.close();
  }

  private connect(key: string, target: TargetSettings, signal: AbortSignal): CachedConnection {
    const entry: CachedConnection = { key, connection: this.context.connect(target, signal), slots: new WaitingSlots(this.maxSessions), leases: 0 };
    this.connections.set(key, entry);
    // A connection that failed, was lost (the server closed it, its sshd was killed) or closed is dropped: the next acquire reconnects.
    entry.connection.then(
      (connection) =>
        connection.once('ended', () => {
          this.forget(entry);
          entry.slots.failWaiting(() => connection.lostError ?? new SshError('CONNECTION_LOST', `${target.label}: connection closed`));
        }),
      () => this.forget(entry),
    );
    return entry;
  }

  private leave(entry: CachedConnection, keep: boolean): void {
    entry.leases -= 1;
    if (entry.leases > 0 || keep) return;
    this.forget(entry);
    entry.connection.then((c) => c.close(), () => undefined);
  }

  private forget(entry: CachedConnection): void {
    if (this.connections.get(entry.key) === entry) this.connections.delete(entry.key);
  }

  /** The become settings are the target's own: hosts that share a connection may still become differently. */
  private leasedSession(entry: CachedConnection, connection: SshConnection, target: ReachableTarget): SessionLease {
    const session: SessionLease = {
      label: connection.label,
      warnings: connection.warnings,
      trust: connection.trust,
      become: target.become,
      runCommand: (command, options) => this.runOnLease(session, entry, connection, command, options),
      openFiles: (signal) => openSftpFiles(connection, signal),
    };
    return session;
  }

  /**
   * A server that refuses a channel while this connection has others open is
   * at its MaxSessions: the connection's limit comes down to what it accepted
   * and this lease waits its turn (first in line), then tries again.
   */
  private async runOnLease(session: SessionLease, entry: CachedConnection, connection: SshConnection, command: string, options: RemoteCommandOptions): Promise<RemoteCommandOutcome> {
    let lagWaits = 0;
    const stopped = (): SshpoolError => new SshpoolError('ABORTED', `${connection.label}: run stopped while waiting for a channel`);
    for (;;) {
      try {
        return await runRemoteCommand(connection, command, options);
      } catch (error) {
        const held = this.leases.get(session);
        if (!held?.holdsSlot || !isChannelRefusal(error) || connection.isEnded) throw error;
        if (entry.slots.inUse <= 1) {
          // Nothing else of ours is open: sshd has not yet freed the session of a channel that has just closed
          // (it frees it a little after the close the client sees). Ask again in a moment, a few times.
          if (++lagWaits > SESSION_FREE_WAITS) throw error;
          if (!(await abortableDelay(SESSION_FREE_WAIT_MS, options.signal))) throw stopped();
          continue;
        }
        entry.slots.lowerTo(entry.slots.inUse - 1);
        held.holdsSlot = false;
        entry.slots.give();
        await entry.slots.take(options.signal, stopped, true);
        held.holdsSlot = true;
      }
    }
  }
}

/** How often, and how long apart, a lease asks again for a channel refused while it is the connection's only one. */
const SESSION_FREE_WAITS = 10;
const SESSION_FREE_WAIT_MS = 50;

/** The server answered the channel open with a failure (ssh2 sets `reason`), as sshd does past MaxSessions. */
function isChannelRefusal(error: unknown): boolean {
  return error instanceof SshError && error.code === 'CHANNEL_FAILED' && (error.cause as { reason?: unknown } | undefined)?.reason !== undefined;
}

/** Targets with the same resolved settings share a connection; the password is left out of the key, as it is no setting of the connection. */
function settingsKey(target: TargetSettings): string {
  return JSON.stringify(target, (name, value: unknown) => (name === 'password' || name === 'become' ? undefined : value));
}
