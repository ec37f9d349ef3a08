import { EventEmitter } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ExecOptions, SFTPWrapper } from 'ssh2';
import { SshpoolError } from '../errors.js';
import type { AuthHandler } from './auth.js';
import { remainingMs, waitWithin } from './bounded-wait.js';
import type { ConnectPlan } from './connect-plan.js';
import type { WaitLimits } from './bounded-wait.js';
import { askEnvironmentReplies } from './env-request.js';
import { SshError, classifySshError } from './errors.js';
import type { SessionPhase } from './errors.js';
import { hostPort } from './host-key.js';
import { SOFTWARE_VERSION, writeIdentification } from './identification.js';
import type { HostKeyVerdict } from './host-key.js';
import type { ConnectionTrust } from './trust.js';
import { ssh2 } from './ssh2-library.js';

/** A plan's connection over the transport the opener chose for it. */
export interface ConnectOptions extends Omit<ConnectPlan, 'proxyCommand'> {
  /** A stream forwarded through a jump host, a ProxyCommand's, or a TCP socket connected early; without it a TCP connection is made. */
  via?: Duplex;
  /**
   * connectTimeoutMs covers TCP (or the forward, or the ProxyCommand), banner,
   * key exchange and authentication together, counted from `startedAt` (default:
   * now, so that time spent reaching a jump host's forward counts); then it
   * bounds each channel open on the connection. 0: no limit.
   */
  startedAt?: number;
  signal?: AbortSignal;
}

type Ssh2Client = Client;

type ConnectionEvents = {
  /** The connection died without `close()` having been called; emitted once. */
  lost: [SshpoolError];
  /** The connection is over, closed by `close()` or lost (after `lost`); emitted once. */
  ended: [];
};

/** How long a closed connection may wait for the server's end of the socket before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * Whether the first authentication request may go out right behind the
 * ssh-userauth service request, a round trip before the server's
 * SERVICE_ACCEPT (ssh2 patch 008): to OpenSSH's sshd, which reads them in
 * order and is the only server this is tested against; any other is asked in
 * turn, as ssh does.
 */
function pipelinesAuth(serverSoftware: string): boolean {
  return serverSoftware.startsWith('OpenSSH_');
}

export function connectTimeoutError(label: string, timeoutMs: number): SshError {
  return new SshError('CONNECT_TIMEOUT', `${label}: no SSH session within ${timeoutMs} ms (TCP, banner, key exchange and authentication)`);
}

/** The server closed the connection before it was ready (sshd past MaxStartups drops it before its banner). */
export function closedDuringHandshakeError(label: string): SshError {
  return new SshError('CONNECT_RESET', `${label}: connection closed during the SSH handshake`);
}

export function connectAbortedError(label: string): SshpoolError {
  return new SshpoolError('ABORTED', `${label}: run stopped while connecting`);
}

/**
 * One authenticated SSH connection. Channels (exec, forwarding) are opened on it
 * as needed, each open bounded by the connect timeout; `lost` is emitted (and
 * `lostError` set) when it dies without `close()` having been called, so a
 * running command can report CONNECTION_LOST instead of hanging.
 */
export class SshConnection extends EventEmitter<ConnectionEvents> {
  lostError: SshpoolError | undefined;
  /** What the records of this connection's commands should say, e.g. a host key let through under `no`. */
  warnings: readonly string[] = [];
  /** How the host key was verified and what logged in; set once authenticated. */
  trust: ConnectionTrust = { hostKey: 'unknown' };
  private closedByUs = false;
  private closed = false;
  /** The socket (or forwarded channel, or ProxyCommand) under the connection: ssh2's destroy() skips one already ended. */
  private transport: Duplex | undefined;

  private constructor(
    readonly label: string,
    private readonly client: Ssh2Client,
    private readonly channelTimeoutMs: number,
  ) {
    super();
    client.on('close', () => {
      this.closed = true;
    });
  }

  /** Opens and authenticates a connection; rejects with a classified SshpoolError. */
  static open(options: ConnectOptions): Promise<SshConnection> {
    const { label, hostname, port } = options;
    let library: ReturnType<typeof ssh2>;
    try {
      library = ssh2();
    } catch (error) {
      // Its first load opens files: out of descriptors then, the limit is this machine's, not the host's fault.
      options.via?.destroy();
      return Promise.reject(classifySshError(error, label, 'connect'));
    }
    const sock = options.via ?? tcpConnect({ host: hostname, port }).setNoDelay(true);
    writeIdentification(sock);
    const client = new library.Client();
    const connection = new SshConnection(label, client, options.connectTimeoutMs);
    connection.transport = sock;
    const limits: WaitLimits = {
      timeoutMs: remainingMs(options.connectTimeoutMs, options.startedAt ?? Date.now()),
      signal: options.signal,
      timedOut: () => connectTimeoutError(label, options.connectTimeoutMs),
      aborted: () => connectAbortedError(label),
    };
    let hostKeyError: unknown;
    let hostKey: HostKeyVerdict = {};
    let hostKeyVerifiedBy = 'unknown';
    let phase: SessionPhase = 'connect';
    let authHandler: AuthHandler | undefined;
    let ready = false;
    const failure = (error: unknown): SshpoolError => {
      const classified = classifySshError(hostKeyError ?? error, label, phase);
      return hostKey.conflict !== undefined && classified.code === 'AUTH_FAILED'
        ? new SshError('AUTH_FAILED', `${classified.message}; no password was sent: ${hostKey.conflict}`, { cause: error })
        : classified;
    };
    const opening = waitWithin<SshConnection>(limits, (settle) => {
      client.on('ready', () => {
        ready = true;
        connection.warnings = hostKey.conflict === undefined ? [] : [hostKey.conflict];
        const authenticatedWith = authHandler?.lastOffered?.();
        connection.trust = { hostKey: hostKeyVerifiedBy, ...(authenticatedWith === undefined ? {} : { authenticatedWith }) };
        if (settle(null, connection)) connection.watchForLoss();
      });
      client.on('handshake', () => {
        if (phase === 'connect') phase = 'auth';
      });
      client.on('error', (error: unknown) => {
        if (!ready) settle(failure(error));
      });
      client.on('close', () => {
        // Every connection closes in the end: an error (and its stack trace) only for one that never got ready.
        if (!ready) settle(closedDuringHandshakeError(label));
      });

      client.connect({
        sock,
        host: hostname,
        port,
        username: options.user,
        ident: SOFTWARE_VERSION,
        identSent: true,
        pipelineAuth: pipelinesAuth,
        // Our own timer above bounds the whole attempt; ssh2's would only duplicate it.
        readyTimeout: 0,
        keepaliveInterval: options.serverAliveIntervalMs,
        keepaliveCountMax: options.serverAliveCountMax,
        algorithms: { serverHostKey: options.hostKeyAlgorithms },
        // ssh2 asks for methods only after the key exchange, so the host key's verdict is in.
        authHandler: (methodsLeft: Parameters<AuthHandler>[0]) => (authHandler ??= options.createAuthHandler(hostKey))(methodsLeft),
        hostVerifier: (key: Buffer, verified: (ok: boolean) => void) => {
          options.verifyHostKey(key).then(
            (check) => {
              hostKey = check.verdict;
              hostKeyVerifiedBy = check.verifiedBy;
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
    return opening.catch((error: unknown) => {
      client.destroy();
      // Also a forwarded stream or ProxyCommand handed in for an attempt that never started.
      sock.destroy();
      throw error;
    });
  }

  private watchForLoss(): void {
    const onGone = (error?: unknown): void => {
      if (this.closedByUs || this.lostError) return;
      this.lostError = error ? classifySshError(error, this.label, 'session') : new SshError('CONNECTION_LOST', `${this.label}: connection closed by the server`);
      this.emit('lost', this.lostError);
      this.emit('ended');
    };
    this.client.on('error', onGone);
    this.client.on('close', () => onGone());
  }

  /**
   * Opens an exec channel; the command line goes to the remote user's shell as is.
   * `onOpen` runs synchronously as the channel opens: a short command's output and
   * exit status can arrive in the same read as the open confirmation, and ssh2
   * emits 'exit' at once, so listeners attached a microtask later would miss it.
   * A server that does not answer fails it with CHANNEL_TIMEOUT; `signal` cuts it short.
   * The `env` names the server refuses are known by `onOpen` (refusedEnvironment).
   */
  exec(command: string, onOpen: (channel: ClientChannel) => void, options: ExecOptions = {}, signal?: AbortSignal): Promise<void> {
    return waitWithin<void>(this.channelLimits('to start the command', signal), (settle) => {
      if (this.lostError) throw this.lostError;
      if (options.env) askEnvironmentReplies(this.client);
      this.client.exec(command, options, (error, channel) => {
        if (error) settle(this.lostError ?? new SshError('CHANNEL_FAILED', `${this.label}: could not start the command (${error.message})`, { cause: error }));
        else if (settle(null)) onOpen(channel);
        else channel.close();
      });
    });
  }

  /**
   * Opens an SFTP channel (the server's `sftp` subsystem), bounded as exec is.
   * A server without the subsystem fails it with CHANNEL_FAILED.
   */
  sftp(signal?: AbortSignal): Promise<SFTPWrapper> {
    return waitWithin<SFTPWrapper>(this.channelLimits('for SFTP', signal), (settle) => {
      if (this.lostError) throw this.lostError;
      this.client.sftp((error, sftp) => {
        if (error) settle(this.lostError ?? new SshError('CHANNEL_FAILED', `${this.label}: could not start SFTP (${error.message})`, { cause: error }));
        else if (!settle(null, sftp)) sftp.end();
      });
    });
  }

  /**
   * A TCP stream to `hostname:port` as seen from this host (ProxyJump's hop);
   * `limits` bound the wait for it. Fails with PROXY_JUMP_FAILED (this host's
   * side) or the error of `limits`.
   */
  forwardOut(hostname: string, port: number, limits: WaitLimits): Promise<Duplex> {
    const failure = (cause: Error): SshError => {
      const reason = cause instanceof SshpoolError ? `${cause.code}: ${cause.message}` : cause.message;
      return new SshError('PROXY_JUMP_FAILED', `${this.label}: could not forward to ${hostPort(hostname, port)} (${reason})`, { cause });
    };
    return waitWithin<Duplex>(limits, (settle) => {
      if (this.lostError) throw failure(this.lostError);
      this.client.forwardOut('127.0.0.1', 0, hostname, port, (error, channel) => {
        if (error) settle(failure(this.lostError ?? error));
        else if (!settle(null, channel)) channel.destroy();
      });
    });
  }

  /** True once closed by `close()` or lost: no channel can be opened on it any more. */
  get isEnded(): boolean {
    return this.closedByUs || this.lostError !== undefined;
  }

  close(): void {
    if (this.closedByUs) return;
    const wasLost = this.lostError !== undefined;
    this.closedByUs = true;
    if (!wasLost) this.emit('ended');
    // A lost connection's socket may still be open (a keepalive timeout): end it all the same.
    this.client.end();
    if (this.closed) return;
    // A frozen server never closes its end of the socket, which would keep the run's process alive.
    const timer = setTimeout(() => this.transport?.destroy(), CLOSE_GRACE_MS);
    this.client.once('close', () => clearTimeout(timer));
  }

  private channelLimits(purpose: string, signal: AbortSignal | undefined): WaitLimits {
    return {
      timeoutMs: this.channelTimeoutMs,
      signal,
      timedOut: () => new SshError('CHANNEL_TIMEOUT', `${this.label}: the server did not open a channel ${purpose} within ${this.channelTimeoutMs} ms (the connect timeout)`),
      aborted: () => new SshpoolError('ABORTED', `${this.label}: run stopped while opening a channel ${purpose}`),
    };
  }
}
