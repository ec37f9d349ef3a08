import { SshpoolError } from '../errors.js';
import { hostPort } from './host-key.js';

/**
 * Stable codes for the ways a session can fail before or while a command runs.
 * All of them make a host `unreachable` in its result; `COMMAND_TIMEOUT` is the exception.
 */
export type SshErrorCode =
  | 'CONNECT_REFUSED'
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_RESET'
  | 'CONNECT_FAILED'
  | 'HOST_UNREACHABLE'
  | 'DNS'
  | 'LOCAL_RESOURCE'
  | 'AUTH_FAILED'
  | 'HANDSHAKE_FAILED'
  | 'KEEPALIVE_TIMEOUT'
  | 'CONNECTION_LOST'
  | 'PROXY_JUMP_FAILED'
  | 'CHANNEL_FAILED'
  | 'CHANNEL_TIMEOUT'
  | 'PROXY_COMMAND_FAILED';

export class SshError extends SshpoolError<SshErrorCode> {}

/**
 * Stable codes for a file that could not be sent or received over SFTP (or
 * given its owner and mode): the host's record fails with the first, and its
 * `detail.errors` lists one per file; the host's other files, and the other
 * hosts, go on.
 */
export type FileErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_PERMISSION_DENIED'
  | 'FILE_IS_DIRECTORY'
  | 'FILE_NOT_DIRECTORY'
  | 'FILE_NO_SPACE'
  | 'FILE_TRANSFER_FAILED'
  | 'FILE_ATTRIBUTES_FAILED'
  | 'FILE_LOCAL_WRITE'
  /** fetch through Redis: the file would take the host past `redis-max-fetch`; fetched by the worker, not sent back. */
  | 'FILE_OVER_REDIS_LIMIT';

/** A file operation that failed on one host; `path` is the file it names. */
export class FileError extends SshpoolError<FileErrorCode> {
  /** The remote (or, for FILE_LOCAL_WRITE, local) path the error is about. */
  readonly path: string;

  constructor(code: FileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/**
 * How far a connection had got when it failed: `connect` is TCP, banner and key
 * exchange; `auth` is after the key exchange, until authenticated; `session` after.
 */
export type SessionPhase = 'connect' | 'auth' | 'session';

const SOCKET_CODES: Record<string, SshErrorCode> = {
  ECONNREFUSED: 'CONNECT_REFUSED',
  ECONNRESET: 'CONNECT_RESET',
  ECONNABORTED: 'CONNECT_RESET',
  EPIPE: 'CONNECT_RESET',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  EHOSTUNREACH: 'HOST_UNREACHABLE',
  ENETUNREACH: 'HOST_UNREACHABLE',
  ENETDOWN: 'HOST_UNREACHABLE',
  EHOSTDOWN: 'HOST_UNREACHABLE',
  ENOTFOUND: 'DNS',
  EAI_AGAIN: 'DNS',
  EAI_FAIL: 'DNS',
  // This machine, not the host, ran out: descriptors (ulimit -n, or the system's), memory, local ports.
  EMFILE: 'LOCAL_RESOURCE',
  ENFILE: 'LOCAL_RESOURCE',
  ENOBUFS: 'LOCAL_RESOURCE',
  ENOMEM: 'LOCAL_RESOURCE',
  EADDRNOTAVAIL: 'LOCAL_RESOURCE',
};

type Ssh2Error = Error & { code?: string | number; level?: string; address?: string; port?: number };

/**
 * Turns what ssh2 or the socket emitted into an SshError. `where` names the host
 * (and hop) so that the message stands on its own in a report of many hosts;
 * `phase` decides what an error that says nothing of its kind (a disconnect
 * message from the server, say) means.
 */
export function classifySshError(error: unknown, where: string, phase: SessionPhase): SshpoolError {
  if (error instanceof SshpoolError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as Ssh2Error;
  const fail = (code: SshErrorCode, message: string) => new SshError(code, `${where}: ${message}`, { cause: error });
  if (typeof err.code === 'string' && (err.level === 'client-socket' || Object.hasOwn(SOCKET_CODES, err.code))) {
    return fail(SOCKET_CODES[err.code] ?? 'CONNECT_FAILED', describeSocketError(err, err.code, phase));
  }
  switch (err.level) {
    case 'client-authentication':
      return fail('AUTH_FAILED', `authentication failed (${err.message})`);
    case 'agent':
      return fail('AUTH_FAILED', `authentication failed (ssh-agent: ${err.message})`);
    case 'client-timeout':
      return /keepalive/i.test(err.message) ? fail('KEEPALIVE_TIMEOUT', 'server stopped answering keepalives') : fail('CONNECT_TIMEOUT', err.message);
    case 'handshake':
    case 'protocol':
      return fail('HANDSHAKE_FAILED', `SSH handshake failed (${err.message})`);
    case 'client-dns':
      return fail('DNS', err.message);
    default:
      return byPhase(fail, err, phase);
  }
}

/**
 * An error of no known kind: a disconnect the server sent (ssh2 gives its reason
 * code as a number, e.g. sshd's "Too many authentication failures" when MaxAuthTries
 * is used up by agent keys), or a failure inside ssh2.
 */
function byPhase(fail: (code: SshErrorCode, message: string) => SshError, err: Ssh2Error, phase: SessionPhase): SshError {
  const what = typeof err.code === 'number' ? `server disconnected: ${err.message}` : err.message;
  switch (phase) {
    case 'connect':
      return fail('HANDSHAKE_FAILED', `SSH handshake failed (${what})`);
    case 'auth':
      return fail('AUTH_FAILED', `authentication failed (${what})`);
    case 'session':
      return fail('CONNECTION_LOST', what);
  }
}

/** What the common socket errors mean, in the words of strerror(3). */
const SOCKET_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ENETDOWN: 'network is down',
  EHOSTDOWN: 'host is down',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files in this process (ulimit -n): raise it or lower --forks',
  ENFILE: 'too many open files on this system: lower --forks',
  ENOBUFS: 'no socket buffer space available',
  ENOMEM: 'out of memory',
  EADDRNOTAVAIL: 'no free local address or port',
};

/**
 * Node's text is "connect ECONNREFUSED 127.0.0.1:2222"; OpenSSH says "connect to host
 * 127.0.0.1 port 2222: Connection refused". This says it as ssh does, with its
 * [host]:port, and keeps the system's code.
 */
function describeSocketError(err: Ssh2Error, code: string, phase: SessionPhase): string {
  if (SOCKET_CODES[code] === 'DNS') return `name does not resolve (${err.message})`;
  const meaning = SOCKET_WORDS[code];
  const words = meaning === undefined ? code : `${meaning} (${code})`;
  if (phase !== 'connect') return words;
  const peer = err.address === undefined ? '' : ` to ${err.port === undefined ? err.address : hostPort(err.address, err.port)}`;
  return `connect${peer}: ${words}`;
}
