import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from '../fleet/index.js';

const run = promisify(execFile);

/** Why the Redis tests cannot run here, or undefined when redis-server is installed (CI installs it: .ci/run). */
export async function redisServerUnavailable(): Promise<string | undefined> {
  try {
    await run('redis-server', ['--version']);
    return undefined;
  } catch {
    return 'redis-server is not installed (apt-get install redis-server): the queue tests need a real Redis';
  }
}

/** In a suite's before(): skips it, saying why, where redis-server cannot run. */
export async function skipWithoutRedisServer(suite: Mocha.Context): Promise<void> {
  const unavailable = await redisServerUnavailable();
  if (unavailable === undefined) return;
  console.log(`      skipped: ${unavailable}`);
  suite.skip();
}

export interface RedisServerOptions {
  /** --requirepass: clients must give it. */
  password?: string;
  /** Served over TLS only (--tls-port), with this certificate and key; clients trust the CA through NODE_EXTRA_CA_CERTS. */
  tls?: { certFile: string; keyFile: string };
}

/**
 * A real redis-server on 127.0.0.1, on a port and a data directory of its own
 * (removed by stop()), persisting to its dump file on shutdown, so that
 * restart() brings back what it held, as a restarted production Redis would.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await closedPort(), await mkdtemp(path.join(tmpdir(), 'sshpool-redis-')), options);
    await server.launch();
    return server;
  }

  /** The running redis-server's pid (a bench reads its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** redis:// (or rediss:// with TLS), with the password when there is one. */
  get url(): string {
    const auth = this.options.password === undefined ? '' : `:${encodeURIComponent(this.options.password)}@`;
    return `${this.options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  /** SIGTERM (Redis saves its dump and exits), then a new redis-server on the same port and directory. */
  async restart(pauseMs = 0): Promise<void> {
    await this.halt();
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await this.launch();
  }

  /** Stops it (saving its dump); start it again with launch(). */
  async halt(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  async stop(): Promise<void> {
    await this.halt();
    await rm(this.dir, { recursive: true, force: true });
  }

  async launch(): Promise<void> {
    const port = String(this.port);
    const listen = this.options.tls
      ? ['--port', '0', '--tls-port', port, '--tls-cert-file', this.options.tls.certFile, '--tls-key-file', this.options.tls.keyFile, '--tls-auth-clients', 'no']
      : ['--port', port];
    const args = [...listen, '--bind', '127.0.0.1', '--dir', this.dir, '--save', '3600 1', '--appendonly', 'no', '--protected-mode', 'yes', ...(this.options.password ? ['--requirepass', this.options.password] : [])];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
