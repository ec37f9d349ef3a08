import type { Duplex } from 'node:stream';
import { SshpoolError } from '../errors.js';
import { remainingMs, waitWithin } from './bounded-wait.js';
import type { ConnectPlan } from './connect-plan.js';
import { SshConnection, closedDuringHandshakeError, connectAbortedError, connectTimeoutError } from './connection.js';
import type { ConnectOptions } from './connection.js';
import { SshError, classifySshError } from './errors.js';
import { startProxyCommand } from './proxy-command.js';
import { ConnectPacer } from './connect-pacer.js';
import { EarlyConnects } from './early-connects.js';
import { WaitingSlots } from './waiting-slots.js';

/** A shared jump connection and the connections (targets, deeper hops) opened through it that are not over yet. */
interface JumpEntry {
  key: string;
  connection: Promise<SshConnection>;
  users: number;
  /**
   * The connections through it not yet authenticated, by the address they are forwarded to: each
   * sshd counts its own (MaxStartups), so a dead target's long wait takes no other target's turn.
   */
  startups: Map<string, WaitingSlots>;
}

/** sshd's MaxStartups begins dropping at 10 connections not yet authenticated: stay below it through one jump host. */
export const DEFAULT_JUMP_STARTUPS = 8;

export interface ConnectionOpenerOptions {
  /** Leave a jump connection open when nothing goes through it any more, until `closeAll()`. */
  keepIdleJumps?: boolean;
  /** New connections per second, over everything this opener opens (jump hosts too); default unpaced. */
  connectRate?: number;
  /** Connections through one jump host to one address that may be between their forward and their authentication at once; default DEFAULT_JUMP_STARTUPS. */
  jumpStartups?: number;
}

/**
 * Opens connections, through ProxyJump hops when a chain has more than one
 * plan. Jump connections are shared by every host behind the same hops (one
 * bastion session, many forwarded channels: sshd's MaxStartups is not hit by
 * the fanout) and counted: one closes when the last connection through it
 * ends, unless `keepIdleJumps` (a run's own opener: with few forks behind a
 * bastion, its hosts would each log in to the bastion again), and `closeAll()`
 * closes every one left.
 */
export class ConnectionOpener {
  private readonly jumps = new Map<string, JumpEntry>();
  private readonly pacer: ConnectPacer | undefined;
  private readonly early = new EarlyConnects();

  constructor(private readonly options: ConnectionOpenerOptions = {}) {
    this.pacer = options.connectRate === undefined ? undefined : new ConnectPacer(options.connectRate);
  }

  /**
   * The target's connect timeout covers the whole attempt, the forward through
   * its last jump host included (ssh2's forwardOut has no timer of its own), and
   * `signal` cuts every step short. The waits for a turn (--connect-rate, the
   * jump host's startups) come before it: they are this run's own, not the host's.
   */
  async open(chain: readonly ConnectPlan[], signal?: AbortSignal): Promise<SshConnection> {
    const target = chain[chain.length - 1];
    if (!target) throw new SshpoolError('NO_TARGET', 'nothing to connect to');
    if (signal?.aborted) throw connectAbortedError(target.label);
    if (chain.length === 1) {
      await this.pace(target, signal);
      return SshConnection.open(connectOptions(target, this.firstTransport(target), Date.now(), signal));
    }
    const jump = this.useJump(chain, chain.length - 2);
    try {
      const connection = await this.openBehind(jump, target, signal);
      connection.once('ended', () => this.leaveJump(jump));
      return connection;
    } catch (error) {
      this.leaveJump(jump);
      throw error;
    }
  }

  /** Through the jump host, holding one of the target address's startups until the target has authenticated (or failed). */
  private async openBehind(jump: JumpEntry, target: ConnectPlan, signal?: AbortSignal): Promise<SshConnection> {
    const giveStartup = await this.takeStartup(jump, target, signal);
    try {
      await this.pace(target, signal);
      const startedAt = Date.now();
      const via = await this.forwardThroughJump(jump, target, startedAt, signal);
      return await SshConnection.open(connectOptions(target, via, startedAt, signal));
    } finally {
      giveStartup();
    }
  }

  /** Waits for a startup through `jump` to `plan`'s address; resolves to the function that gives it back. */
  private async takeStartup(jump: JumpEntry, plan: ConnectPlan, signal: AbortSignal | undefined): Promise<() => void> {
    const address = `${plan.hostname}:${plan.port}`;
    let slots = jump.startups.get(address);
    if (!slots) {
      slots = new WaitingSlots(this.options.jumpStartups ?? DEFAULT_JUMP_STARTUPS);
      jump.startups.set(address, slots);
    }
    const held = slots;
    // One entry per address being connected to, not per address ever seen: 10,000 hosts leave none behind.
    const forgetIfIdle = (): void => {
      if (held.idle && jump.startups.get(address) === held) jump.startups.delete(address);
    };
    try {
      await held.take(signal, () => connectAbortedError(plan.label));
    } catch (error) {
      forgetIfIdle();
      throw error;
    }
    return () => {
      held.give();
      forgetIfIdle();
    };
  }

  /** This connection's turn under --connect-rate. */
  private pace(plan: ConnectPlan, signal?: AbortSignal): Promise<void> {
    return this.pacer ? this.pacer.turn(signal, () => connectAbortedError(plan.label)) : Promise.resolve();
  }

  /**
   * Starts the TCP connects of these first hops now, before the client that will
   * run SSH over each exists (see EarlyConnects); a hop reached through a
   * ProxyCommand is left to it. Not under --connect-rate, whose turns they would skip.
   */
  async connectEarly(hops: readonly Pick<ConnectPlan, 'hostname' | 'port' | 'proxyCommand'>[]): Promise<void> {
    if (this.pacer) return;
    await this.early.start(hops.filter((hop) => hop.proxyCommand === undefined));
  }

  /** Closes the early connects no connection took (a run that stops before its hosts, or started others). */
  closeEarly(): void {
    this.early.closeAll();
  }

  closeAll(): void {
    this.early.closeAll();
    const entries = [...this.jumps.values()];
    this.jumps.clear();
    for (const entry of entries) entry.connection.then((c) => c.close(), () => undefined);
  }

  /**
   * A chain's first connection goes through its ProxyCommand when ssh_config gives one, else over
   * TCP: the early connect to its address if one was started (undefined: SshConnection makes one).
   */
  private firstTransport(plan: ConnectPlan): Duplex | undefined {
    if (plan.proxyCommand !== undefined) return startProxyCommand(plan.proxyCommand, plan.label);
    const early = this.early.take(plan.hostname, plan.port);
    if (early === undefined || 'socket' in early) return early?.socket;
    throw 'failure' in early ? classifySshError(early.failure, plan.label, 'connect') : closedDuringHandshakeError(plan.label);
  }

  private async forwardThroughJump(jump: JumpEntry, target: ConnectPlan, startedAt: number, signal?: AbortSignal): Promise<Duplex> {
    const bounds = { signal, timedOut: () => connectTimeoutError(target.label, target.connectTimeoutMs), aborted: () => connectAbortedError(target.label) };
    try {
      // The hop is shared and has a connect timeout of its own: only this host's stop signal cuts the wait for it short.
      const hop = await waitWithin<SshConnection>({ ...bounds, timeoutMs: 0 }, (settle) => void jump.connection.then((c) => settle(null, c), (error) => settle(error)));
      return await hop.forwardOut(target.hostname, target.port, { ...bounds, timeoutMs: remainingMs(target.connectTimeoutMs, startedAt) });
    } catch (error) {
      throw throughJumpFailure(target, error);
    }
  }

  /** The shared connection to `chain[index]` (itself reached through the hops before it), counted as used until `leaveJump`. */
  private useJump(chain: readonly ConnectPlan[], index: number): JumpEntry {
    const key = chain
      .slice(0, index + 1)
      .map((plan) => `${plan.user}@${plan.hostname}:${plan.port}`)
      .join(',');
    let entry = this.jumps.get(key);
    if (!entry) {
      const hop = chain[index] as ConnectPlan;
      const opened = index > 0 ? this.openThroughJump(chain, index) : this.pace(hop).then(() => SshConnection.open(connectOptions(hop, this.firstTransport(hop), Date.now())));
      const created: JumpEntry = {
        key,
        users: 0,
        startups: new Map(),
        connection: opened.catch((error: unknown) => {
          throw jumpFailure(hop, error);
        }),
      };
      const forget = (): void => this.forget(created);
      created.connection.then((c) => c.once('ended', forget), forget);
      this.jumps.set(key, created);
      entry = created;
    }
    entry.users += 1;
    return entry;
  }

  /** Closes a jump connection nothing is opened through any more. */
  private leaveJump(entry: JumpEntry): void {
    entry.users -= 1;
    if (entry.users > 0 || this.options.keepIdleJumps) return;
    // Out of the map at once: a host arriving before the close is done gets a new connection, not this closing one.
    this.forget(entry);
    entry.connection.then((c) => c.close(), () => undefined);
  }

  private forget(entry: JumpEntry): void {
    if (this.jumps.get(entry.key) === entry) this.jumps.delete(entry.key);
  }

  /** A deeper hop's own connection: it uses the hop before it while it is open. */
  private async openThroughJump(chain: readonly ConnectPlan[], index: number): Promise<SshConnection> {
    const previous = this.useJump(chain, index - 1);
    const hop = chain[index] as ConnectPlan;
    // The hop is shared, so one host's abort must not cancel it for the others: no signal in its waits.
    const giveStartup = await this.takeStartup(previous, hop, undefined);
    try {
      await this.pace(hop);
      const startedAt = Date.now();
      const via = await (
        await previous.connection
      ).forwardOut(hop.hostname, hop.port, {
        timeoutMs: remainingMs(hop.connectTimeoutMs, startedAt),
        timedOut: () => connectTimeoutError(hop.label, hop.connectTimeoutMs),
        aborted: () => connectAbortedError(hop.label),
      });
      const connection = await SshConnection.open(connectOptions(hop, via, startedAt));
      connection.once('ended', () => this.leaveJump(previous));
      return connection;
    } catch (error) {
      this.leaveJump(previous);
      throw error;
    } finally {
      giveStartup();
    }
  }
}


function connectOptions(plan: ConnectPlan, via: Duplex | undefined, startedAt: number, signal?: AbortSignal): ConnectOptions {
  const { proxyCommand: _transportChosen, ...options } = plan;
  return { ...options, startedAt, ...(via ? { via } : {}), ...(signal ? { signal } : {}) };
}

/** Names the hop that failed; `throughJumpFailure` adds the target's name. */
function jumpFailure(hop: ConnectPlan, error: unknown): SshpoolError {
  if (error instanceof SshError && error.code === 'PROXY_JUMP_FAILED') return error;
  const cause = error instanceof SshpoolError ? `${error.code}: ${error.message}` : String(error);
  return new SshError('PROXY_JUMP_FAILED', `jump host ${hop.label} failed (${cause})`, { cause: error });
}

/**
 * The target's own bounds (its connect timeout, the stop signal) already name the
 * target; anything else went wrong on the jump host's side.
 */
function throughJumpFailure(target: ConnectPlan, error: unknown): unknown {
  if (error instanceof SshpoolError && (error.code === 'CONNECT_TIMEOUT' || error.code === 'ABORTED')) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SshError('PROXY_JUMP_FAILED', `${target.label}: ${message}`, { cause: error });
}
