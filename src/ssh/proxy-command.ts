import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { InputError } from '../errors.js';
import { SshError } from './errors.js';

/** The %-tokens ssh(1) expands in ProxyCommand (OpenSSH 9.2's expand_proxy_command). */
export type ProxyCommandTokens = Record<'h' | 'k' | 'n' | 'p' | 'r', string>;

const TOKENS = new Set(['h', 'k', 'n', 'p', 'r', '%']);

/** Calls `onUnsupported` for each token ssh would refuse ("unknown key"), so a bad file fails at load, not per host. */
export function checkProxyCommandTokens(raw: string, onUnsupported: (token: string) => void): void {
  for (const [, token] of raw.matchAll(/%(.?)/gs)) {
    if (!TOKENS.has(token ?? '')) onUnsupported(token ?? '');
  }
}

/** A host or user name a ProxyCommand's shell would act on (OpenSSH 9.6's ssh_valid_hostname and ssh_valid_ruser). */
export class ProxyCommandError extends InputError {
  constructor(message: string) {
    super('PROXY_COMMAND_INVALID', message);
  }
}

/**
 * Expands the tokens of a command checked by checkProxyCommandTokens. Host and user
 * names come from inventories too, and the command goes to a shell: a name with
 * characters the shell would act on is refused, as ssh refuses it since 9.6
 * (CVE-2023-51385), stricter only in checking names from ssh_config as well.
 */
export function expandProxyCommand(raw: string, tokens: ProxyCommandTokens, label: string): string {
  for (const token of ['h', 'n', 'k'] as const) checkName(tokens[token], HOST_UNSAFE, 'host name', label);
  checkName(tokens.r, USER_UNSAFE, 'user name', label);
  return raw.replace(/%(.)/gs, (_, token: string) => (token === '%' ? '%' : tokens[token as keyof ProxyCommandTokens]));
}

const HOST_UNSAFE = /^-|['`"$\\;&<>|(){},\s\x00-\x1f\x7f]/;
const USER_UNSAFE = /^-|['`";&<>|(){}\x00-\x1f\x7f]|\s-|\\$/;

function checkName(value: string, unsafe: RegExp, what: string, label: string): void {
  if (unsafe.test(value)) throw new ProxyCommandError(`${label}: ${what} ${JSON.stringify(value)} has characters the ProxyCommand's shell would act on; refused, as ssh refuses it`);
}

/** What of the command's stderr is kept for the host's error: its end, where the reason usually is. */
const STDERR_KEPT_BYTES = 2048;

/**
 * Starts a ProxyCommand as ssh(1) does (`$SHELL -c "exec COMMAND"`, /bin/sh
 * without SHELL) and returns its stdin and stdout as one stream, the transport of
 * an SSH connection. Its stderr is kept (the last 2 KiB) for the error when it
 * exits before the connection is done with it (PROXY_COMMAND_FAILED). Destroying
 * the stream (the connection ends) sends it SIGHUP, as ssh does, and lets go of it.
 */
export function startProxyCommand(command: string, label: string): Duplex {
  return new ProxyCommandStream(command, label);
}

class ProxyCommandStream extends Duplex {
  private readonly child: ChildProcess;
  private stderr = Buffer.alloc(0);
  /** Set once we ended its stdin: an exit after that is the normal end, not a failure. */
  private finished = false;

  constructor(command: string, label: string) {
    super();
    const shell = process.env.SHELL || '/bin/sh';
    this.child = spawn(shell, ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    const { stdin, stdout, stderr } = this.child as ChildProcess & { stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
    stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) stdout.pause();
    });
    stderr.on('data', (chunk: Buffer) => {
      this.stderr = Buffer.concat([this.stderr, chunk]).subarray(-STDERR_KEPT_BYTES);
    });
    // A write to a command that already exited fails with EPIPE; its exit says more, and is reported on 'close'.
    stdin.on('error', () => undefined);
    this.child.on('error', (error) => this.destroy(new SshError('PROXY_COMMAND_FAILED', `${label}: cannot start the ProxyCommand (${error.message})`, { cause: error })));
    // 'close': exited, and its stdout read to the end, so everything it sent has been pushed.
    this.child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.destroyed) return;
      if (this.finished) this.push(null);
      else this.destroy(new SshError('PROXY_COMMAND_FAILED', `${label}: the ProxyCommand ${exitDescription(code, signal)}${this.stderrNote()}`));
    });
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.child.stdin?.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finished = true;
    this.child.stdin?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGHUP');
    // A command that ignores SIGHUP must not keep sshpool running (ssh does not wait for it either).
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.child.unref();
    callback(error);
  }

  private stderrNote(): string {
    const text = this.stderr.toString('utf8').trim();
    return text === '' ? '' : `; its stderr: ${text}`;
  }
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal} before the connection ended`;
  return `exited with status ${code} before the connection ended`;
}
