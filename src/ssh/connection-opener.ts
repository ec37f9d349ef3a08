import type { Duplex } from 'node:stream';
import { SshpoolError } from '../errors.js';
import type { AuthHandler } from './auth.js';
import { remainingMs, waitWithin } from './bounded-wait.js';
import { SshConnection, connectAbortedError, connectTimeoutError } from './connection.js';
import type { ConnectOptions, Endpoint } from './connection.js';
import { SshError } from './errors.js';
import type { HostKeyVerdict } from './host-key.js';
import { startProxyCommand } from './proxy-command.js';

/** Everything needed to open one SSH connection (a jump hop or the target). */
export interface ConnectPlan {
  label: string;
  endpoint: Endpoint;
  /** 0: no limit. */
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  hostKeyAlgorithms: string[];
  verifyHostKey: (key: Buffer) => Promise<HostKeyVerdict>;
  /** Called for each connection, once its host key is verified: the handler keeps state. */
  createAuthHandler: (hostKey: HostKeyVerdict) => AuthHandler;
  /** ssh_config's ProxyCommand, tokens expanded: the transport instead of TCP when this is the first connection of a chain. */
  proxyCommand?: string;
}

/**
 * Opens connections, through ProxyJump hops when a chain has more than one
 * plan. Jump connections are shared by every host behind the same hops (one
 * bastion session, many forwarded channels: sshd's MaxStartups is not hit by
 * the fanout), and closed by `closeAll()` at the end of a run.
 */
export class ConnectionOpener {
  private readonly jumps = new Map<string, Promise<SshConnection>>();

  /**
   * The target's connect timeout covers the whole attempt, the forward through
   * its last jump host included (ssh2's forwardOut has no timer of its own), and
   * `signal` cuts every step short.
   */
  async open(chain: readonly ConnectPlan[], signal?: AbortSignal): Promise<SshConnection> {
    const target = chain[chain.length - 1];
    if (!target) throw new SshpoolError('NO_TARGET', 'nothing to connect to');
    if (signal?.aborted) throw connectAbortedError(target.label);
    const startedAt = Date.now();
    const via = chain.length > 1 ? await this.forwardThroughJumps(chain, startedAt, signal) : firstTransport(target);
    return SshConnection.open(planToOptions(target, via, startedAt, signal));
  }

  closeAll(): void {
    const pending = [...this.jumps.values()];
    this.jumps.clear();
    for (const connection of pending) connection.then((c) => c.close(), () => undefined);
  }

  private async forwardThroughJumps(chain: readonly ConnectPlan[], startedAt: number, signal?: AbortSignal): Promise<Duplex> {
    const target = chain[chain.length - 1] as ConnectPlan;
    const bounds = { signal, timedOut: () => connectTimeoutError(target.label, target.timeoutMs), aborted: () => connectAbortedError(target.label) };
    try {
      // The hop is shared and has a connect timeout of its own: only this host's stop signal cuts the wait for it short.
      const hop = this.jumpConnection(chain, chain.length - 2);
      const jump = await waitWithin<SshConnection>({ ...bounds, timeoutMs: 0 }, (settle) => void hop.then((c) => settle(null, c), (error) => settle(error)));
      return await jump.forwardOut(target.endpoint.hostname, target.endpoint.port, { ...bounds, timeoutMs: remainingMs(target.timeoutMs, startedAt) });
    } catch (error) {
      throw throughJumpFailure(target, error);
    }
  }

  /** The shared connection to `chain[index]`, itself reached through the hops before it. */
  private jumpConnection(chain: readonly ConnectPlan[], index: number): Promise<SshConnection> {
    const key = chain
      .slice(0, index + 1)
      .map((plan) => `${plan.endpoint.user}@${plan.endpoint.hostname}:${plan.endpoint.port}`)
      .join(',');
    let connection = this.jumps.get(key);
    if (!connection) {
      const hop = chain[index] as ConnectPlan;
      connection = (async () => {
        const startedAt = Date.now();
        const via = index > 0 ? await this.forwardToHop(chain, index, startedAt) : firstTransport(hop);
        // The hop is shared, so one host's abort must not cancel it for the others.
        return SshConnection.open(planToOptions(hop, via, startedAt));
      })().catch((error: unknown) => {
        throw jumpFailure(hop, error);
      });
      this.jumps.set(key, connection);
      connection.then(
        (c) => c.once('lost', () => this.jumps.delete(key)),
        () => this.jumps.delete(key),
      );
    }
    return connection;
  }

  private async forwardToHop(chain: readonly ConnectPlan[], index: number, startedAt: number): Promise<Duplex> {
    const previous = await this.jumpConnection(chain, index - 1);
    const hop = chain[index] as ConnectPlan;
    return previous.forwardOut(hop.endpoint.hostname, hop.endpoint.port, {
      timeoutMs: remainingMs(hop.timeoutMs, startedAt),
      timedOut: () => connectTimeoutError(hop.label, hop.timeoutMs),
      aborted: () => connectAbortedError(hop.label),
    });
  }
}

/** A chain's first connection goes over TCP, or through its ProxyCommand when ssh_config gives one. */
function firstTransport(plan: ConnectPlan): Duplex | undefined {
  return plan.proxyCommand === undefined ? undefined : startProxyCommand(plan.proxyCommand, plan.label);
}

function planToOptions(plan: ConnectPlan, via: Duplex | undefined, startedAt: number, signal?: AbortSignal): ConnectOptions {
  return {
    label: plan.label,
    endpoint: plan.endpoint,
    timeoutMs: plan.timeoutMs,
    startedAt,
    keepaliveIntervalMs: plan.keepaliveIntervalMs,
    keepaliveCountMax: plan.keepaliveCountMax,
    hostKeyAlgorithms: plan.hostKeyAlgorithms,
    verifyHostKey: plan.verifyHostKey,
    createAuthHandler: plan.createAuthHandler,
    ...(via ? { via } : {}),
    ...(signal ? { signal } : {}),
  };
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
