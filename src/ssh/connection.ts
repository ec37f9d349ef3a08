import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { ClientChannel, ExecOptions } from 'ssh2';
import type { AuthHandler } from './auth.js';
import { SshError, classifySshError } from './errors.js';
import type { SessionPhase } from './errors.js';
import { hostPort } from './host-key.js';
import type { HostKeyVerdict } from './host-key.js';

const { Client } = ssh2;

/** Where to connect, after ssh_config, inventory and flags have been merged. */
export interface Endpoint {
  hostname: string;
  port: number;
  user: string;
}

export interface ConnectOptions {
  /** The name the user knows the host by (inventory name, or jump hop): used in messages. */
  label: string;
  endpoint: Endpoint;
  /** A stream forwarded through a jump host; without it a TCP connection is made. */
  via?: Duplex;
  /** Covers TCP, banner, key exchange and authentication together. */
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** The host key algorithms to offer, in order (HostKeyVerifier.hostKeyAlgorithms()). */
  hostKeyAlgorithms: string[];
  /** Rejects (with a HostKeyError) to refuse the server's host key. */
  verifyHostKey: (key: Buffer) => Promise<HostKeyVerdict>;
  /** Called once, after the key exchange, with the host key's verdict (which rules out passwords). */
  createAuthHandler: (hostKey: HostKeyVerdict) => AuthHandler;
  signal?: AbortSignal;
}

type Ssh2Client = InstanceType<typeof Client>;

/**
 * One authenticated SSH connection. Channels (exec, forwarding) are opened on it
 * as needed; `lost` rejects when it dies without `close()` having been called,
 * so a running command can report CONNECTION_LOST instead of hanging.
 */
export class SshConnection {
  readonly lost: Promise<never>;
  private closedByUs = false;

  private constructor(
    readonly label: string,
    private readonly client: Ssh2Client,
    lost: Promise<never>,
    /** What the records of this connection's commands should say, e.g. a host key let through under `no`. */
    readonly warnings: readonly string[],
  ) {
    this.lost = lost;
    this.lost.catch(() => undefined);
  }

  /** Opens and authenticates a connection; rejects with a classified SshpoolError. */
  static open(options: ConnectOptions): Promise<SshConnection> {
    const { label, endpoint } = options;
    const client = new Client();
    return new Promise<SshConnection>((resolve, reject) => {
      let settled = false;
      let hostKeyError: unknown;
      let hostKey: HostKeyVerdict = {};
      let phase: SessionPhase = 'connect';
      let authHandler: AuthHandler | undefined;
      let rejectLost: (error: unknown) => void = () => undefined;
      const lost = new Promise<never>((_, rejectIt) => {
        rejectLost = rejectIt;
      });

      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        cleanup();
        client.destroy();
        const classified = classifySshError(hostKeyError ?? error, label, phase);
        reject(
          hostKey.conflict !== undefined && classified.code === 'AUTH_FAILED'
            ? new SshError('AUTH_FAILED', `${classified.message}; no password was sent: ${hostKey.conflict}`, { cause: error })
            : classified,
        );
      };
      const timer = setTimeout(
        () => fail(new SshError('CONNECT_TIMEOUT', `${label}: no SSH session within ${options.timeoutMs} ms (TCP, banner, key exchange and authentication)`)),
        options.timeoutMs,
      );
      const onAbort = (): void => fail(new SshError('CONNECT_TIMEOUT', `${label}: connection attempt aborted`));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };

      client.on('ready', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const connection = new SshConnection(label, client, lost, hostKey.conflict === undefined ? [] : [hostKey.conflict]);
        resolve(connection);
        const onGone = (error?: unknown): void => {
          if (!connection.closedByUs) {
            rejectLost(error ? classifySshError(error, label, 'session') : new SshError('CONNECTION_LOST', `${label}: connection closed by the server`));
          }
        };
        client.on('error', onGone);
        client.on('close', () => onGone());
      });
      client.on('handshake', () => {
        if (phase === 'connect') phase = 'auth';
      });
      client.on('error', fail);
      client.on('close', () => {
        // Every connection closes in the end: an error (and its stack trace) only for one that never got ready.
        if (!settled) fail(new SshError('CONNECT_RESET', `${label}: connection closed during the SSH handshake`));
      });

      const sock = options.via ?? tcpConnect({ host: endpoint.hostname, port: endpoint.port });
      if (!options.via) (sock as ReturnType<typeof tcpConnect>).setNoDelay(true);
      if (options.signal?.aborted) {
        onAbort();
        sock.destroy();
        return;
      }
      client.connect({
        sock,
        host: endpoint.hostname,
        port: endpoint.port,
        username: endpoint.user,
        // Our own timer above bounds the whole attempt; ssh2's would only duplicate it.
        readyTimeout: 0,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: options.keepaliveCountMax,
        algorithms: { serverHostKey: options.hostKeyAlgorithms },
        // ssh2 asks for methods only after the key exchange, so the host key's verdict is in.
        authHandler: (methodsLeft: Parameters<AuthHandler>[0]) => (authHandler ??= options.createAuthHandler(hostKey))(methodsLeft),
        hostVerifier: (key: Buffer, verified: (ok: boolean) => void) => {
          options.verifyHostKey(key).then(
            (verdict) => {
              hostKey = verdict;
              verified(true);
            },
            (error: unknown) => {
              hostKeyError = error;
              verified(false);
            },
          );
        },
      } as Parameters<Ssh2Client['connect']>[0]);
    });
  }

  /**
   * Opens an exec channel; the command line goes to the remote user's shell as is.
   * `onOpen` runs synchronously as the channel opens: a short command's output and
   * exit status can arrive in the same read as the open confirmation, and ssh2
   * emits 'exit' at once, so listeners attached a microtask later would miss it.
   */
  exec(command: string, onOpen: (channel: ClientChannel) => void, options: ExecOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, options, (error, channel) => {
        if (error) {
          reject(new SshError('CHANNEL_FAILED', `${this.label}: could not start the command (${error.message})`, { cause: error }));
          return;
        }
        onOpen(channel);
        resolve();
      });
    });
  }

  /** A TCP stream to `hostname:port` as seen from this host (ProxyJump's hop). */
  forwardOut(hostname: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, hostname, port, (error, channel) => {
        if (error) reject(new SshError('PROXY_JUMP_FAILED', `${this.label}: could not forward to ${hostPort(hostname, port)} (${error.message})`, { cause: error }));
        else resolve(channel);
      });
    });
  }

  close(): void {
    this.closedByUs = true;
    this.client.end();
  }
}
