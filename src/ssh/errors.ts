import { SshpoolError } from '../errors.js';

/**
 * Stable codes for the ways a session can fail before or while a command runs.
 * All of them make a host `unreachable` in its result; `COMMAND_TIMEOUT` is the exception.
 */
export type SshErrorCode =
  | 'CONNECT_REFUSED'
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_RESET'
  | 'HOST_UNREACHABLE'
  | 'DNS'
  | 'AUTH_FAILED'
  | 'HANDSHAKE_FAILED'
  | 'KEEPALIVE_TIMEOUT'
  | 'CONNECTION_LOST'
  | 'PROXY_JUMP_FAILED'
  | 'CHANNEL_FAILED'
  | 'CHANNEL_TIMEOUT'
  | 'PROXY_COMMAND_FAILED'
  | 'SSH_ERROR';

export class SshError extends SshpoolError<SshErrorCode> {}

const SOCKET_CODES: Record<string, SshErrorCode> = {
  ECONNREFUSED: 'CONNECT_REFUSED',
  ECONNRESET: 'CONNECT_RESET',
  EPIPE: 'CONNECT_RESET',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  EHOSTUNREACH: 'HOST_UNREACHABLE',
  ENETUNREACH: 'HOST_UNREACHABLE',
  EHOSTDOWN: 'HOST_UNREACHABLE',
  ENOTFOUND: 'DNS',
  EAI_AGAIN: 'DNS',
  EAI_FAIL: 'DNS',
};

/**
 * Turns what ssh2 or the socket emitted into an SshError. `where` names the host
 * (and hop) so that the message stands on its own in a report of many hosts.
 */
export function classifySshError(error: unknown, where: string): SshpoolError {
  if (error instanceof SshpoolError) return error;
  const err = error as (Error & { code?: string; level?: string }) | undefined;
  const message = err?.message ?? String(error);
  const socketCode = err?.code ? SOCKET_CODES[err.code] : undefined;
  if (socketCode) return new SshError(socketCode, `${where}: ${describeSocketError(socketCode, message)}`, { cause: error });
  switch (err?.level) {
    case 'client-authentication':
      return new SshError('AUTH_FAILED', `${where}: authentication failed (${message})`, { cause: error });
    case 'client-timeout':
      return /keepalive/i.test(message)
        ? new SshError('KEEPALIVE_TIMEOUT', `${where}: server stopped answering keepalives`, { cause: error })
        : new SshError('CONNECT_TIMEOUT', `${where}: ${message}`, { cause: error });
    case 'handshake':
    case 'protocol':
      return new SshError('HANDSHAKE_FAILED', `${where}: SSH handshake failed (${message})`, { cause: error });
    case 'client-dns':
      return new SshError('DNS', `${where}: ${message}`, { cause: error });
    default:
      return new SshError('SSH_ERROR', `${where}: ${message}`, { cause: error });
  }
}

function describeSocketError(code: SshErrorCode, message: string): string {
  switch (code) {
    case 'CONNECT_REFUSED':
      return 'connection refused';
    case 'DNS':
      return `name does not resolve (${message})`;
    default:
      return message;
  }
}
