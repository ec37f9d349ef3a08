import type { Duplex } from 'node:stream';
import { SshpoolError } from '../errors.js';
import type { AuthHandler } from './auth.js';
import { SshConnection } from './connection.js';
import type { ConnectOptions, Endpoint } from './connection.js';
import { SshError } from './errors.js';
import type { HostKeyVerdict } from './host-key.js';

/** Everything needed to open one SSH connection (a jump hop or the target). */
export interface ConnectPlan {
  label: string;
  endpoint: Endpoint;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  hostKeyAlgorithms: string[];
  verifyHostKey: (key: Buffer) => Promise<HostKeyVerdict>;
  /** Called for each connection, once its host key is verified: the handler keeps state. */
  createAuthHandler: (hostKey: HostKeyVerdict) => AuthHandler;
}

/**
 * Opens connections, through ProxyJump hops when a chain has more than one
 * plan. Jump connections are shared by every host behind the same hops (one
 * bastion session, many forwarded channels: sshd's MaxStartups is not hit by
 * the fanout), and closed by `closeAll()` at the end of a run.
 */
export class ConnectionOpener {
  private readonly jumps = new Map<string, Promise<SshConnection>>();

  async open(chain: readonly ConnectPlan[], signal?: AbortSignal): Promise<SshConnection> {
    const target = chain[chain.length - 1];
    if (!target) throw new SshpoolError('NO_TARGET', 'nothing to connect to');
    let via: Duplex | undefined;
    if (chain.length > 1) {
      try {
        via = await this.forwardThroughJumps(chain, signal);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new SshError('PROXY_JUMP_FAILED', `${target.label}: ${message}`, { cause: error });
      }
    }
    return SshConnection.open(planToOptions(target, via, signal));
  }

  closeAll(): void {
    const pending = [...this.jumps.values()];
    this.jumps.clear();
    for (const connection of pending) connection.then((c) => c.close(), () => undefined);
  }

  private async forwardThroughJumps(chain: readonly ConnectPlan[], signal?: AbortSignal): Promise<Duplex> {
    const target = chain[chain.length - 1] as ConnectPlan;
    const lastHop = chain.length - 2;
    const jump = await this.jumpConnection(chain, lastHop, signal);
    try {
      return await jump.forwardOut(target.endpoint.hostname, target.endpoint.port);
    } catch (error) {
      throw jumpFailure(chain[lastHop] as ConnectPlan, error);
    }
  }

  /** The shared connection to `chain[index]`, itself reached through the hops before it. */
  private jumpConnection(chain: readonly ConnectPlan[], index: number, signal?: AbortSignal): Promise<SshConnection> {
    const key = chain
      .slice(0, index + 1)
      .map((plan) => `${plan.endpoint.user}@${plan.endpoint.hostname}:${plan.endpoint.port}`)
      .join(',');
    let connection = this.jumps.get(key);
    if (!connection) {
      const hop = chain[index] as ConnectPlan;
      connection = (async () => {
        const via = index > 0 ? await this.forwardOut(chain, index, signal) : undefined;
        // The hop is shared, so one host's abort must not cancel it for the others.
        return SshConnection.open(planToOptions(hop, via));
      })().catch((error: unknown) => {
        throw jumpFailure(hop, error);
      });
      this.jumps.set(key, connection);
      connection.then(
        (c) => c.lost.catch(() => this.jumps.delete(key)),
        () => this.jumps.delete(key),
      );
    }
    return connection;
  }

  private async forwardOut(chain: readonly ConnectPlan[], index: number, signal?: AbortSignal): Promise<Duplex> {
    const previous = await this.jumpConnection(chain, index - 1, signal);
    const hop = chain[index] as ConnectPlan;
    return previous.forwardOut(hop.endpoint.hostname, hop.endpoint.port);
  }
}

function planToOptions(plan: ConnectPlan, via: Duplex | undefined, signal?: AbortSignal): ConnectOptions {
  return {
    label: plan.label,
    endpoint: plan.endpoint,
    timeoutMs: plan.timeoutMs,
    keepaliveIntervalMs: plan.keepaliveIntervalMs,
    keepaliveCountMax: plan.keepaliveCountMax,
    hostKeyAlgorithms: plan.hostKeyAlgorithms,
    verifyHostKey: plan.verifyHostKey,
    createAuthHandler: plan.createAuthHandler,
    ...(via ? { via } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** Names the hop that failed; `open()` adds the target's name. */
function jumpFailure(hop: ConnectPlan, error: unknown): SshpoolError {
  if (error instanceof SshError && error.code === 'PROXY_JUMP_FAILED') return error;
  const cause = error instanceof SshpoolError ? `${error.code}: ${error.message}` : String(error);
  return new SshError('PROXY_JUMP_FAILED', `jump host ${hop.label} failed (${cause})`, { cause: error });
}
