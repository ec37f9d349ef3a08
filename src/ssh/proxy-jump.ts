import { InputError } from '../errors.js';

/** One hop of a ProxyJump list, as written; its settings resolve through ssh_config like any host. */
export interface JumpHop {
  alias: string;
  user?: string;
  port?: number;
}

export class ProxyJumpError extends InputError {
  constructor(message: string) {
    super('PROXY_JUMP_INVALID', message);
  }
}

/**
 * Parses OpenSSH's ProxyJump syntax: `[user@]host[:port]` or
 * `ssh://[user@]host[:port]`, comma-separated, first hop first.
 * `none` means no jump, as in ssh_config.
 */
export function parseProxyJump(spec: string): JumpHop[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return [];
  return trimmed.split(',').map((part) => parseHop(part.trim(), spec));
}

function parseHop(text: string, spec: string): JumpHop {
  const body = text.startsWith('ssh://') ? text.slice('ssh://'.length) : text;
  const at = body.lastIndexOf('@');
  const user = at >= 0 ? body.slice(0, at) : undefined;
  const hostPort = at >= 0 ? body.slice(at + 1) : body;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(hostPort);
  if (!match || user === '') throw new ProxyJumpError(`ProxyJump "${spec}": cannot read hop "${text}" (expected [user@]host[:port])`);
  const alias = (match[1] ?? match[2]) as string;
  const hop: JumpHop = { alias };
  if (user !== undefined) hop.user = user;
  if (match[3] !== undefined) {
    const port = Number(match[3]);
    if (port < 1 || port > 65535) throw new ProxyJumpError(`ProxyJump "${spec}": port ${match[3]} is not between 1 and 65535`);
    hop.port = port;
  }
  return hop;
}
