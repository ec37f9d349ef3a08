import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, IdentityCallback, ParsedKey } from 'ssh2';

export interface AuthHandlerOptions {
  username: string;
  /** The agent's socket (see agentSocketFor()); absent for no agent. */
  agentSocket?: string;
  /** Parsed private keys from IdentityStore, tried in this order after the agent. */
  keys: ParsedKey[];
  /** IdentitiesOnly: of the agent's keys, offer only those whose public half is among `keys`. */
  identitiesOnly?: boolean;
  /** Called only when every key has failed; the CLI passes it only with --ask-pass. */
  password?: () => string | undefined;
}

/**
 * ssh2's `authHandler` in OpenSSH's order: agent keys, then identity files, then the
 * password. Keys go in already parsed, which ssh2 only honours through an authHandler
 * (it ignores a parsed `privateKey`), and the initial `none` round is skipped.
 * Returns false when everything has been tried, and ssh2 then fails with "All
 * configured authentication methods failed". Build one per connection: it keeps state.
 */
export function buildAuthHandler(options: AuthHandlerOptions): AuthHandlerMiddleware {
  const { username } = options;
  const agent = options.agentSocket === undefined
    ? undefined
    : new SelectiveAgent(options.agentSocket, options.identitiesOnly ? options.keys : undefined);
  const steps: Array<() => AnyAuthMethod | undefined> = [];
  if (agent) steps.push(() => ({ type: 'agent', username, agent }));
  for (const key of options.keys) {
    // The agent already offered this key and the server turned it down.
    steps.push(() => (agent?.offered(key) ? undefined : { type: 'publickey', username, key }));
  }
  const { password: askPassword } = options;
  if (askPassword) {
    steps.push(() => {
      const password = askPassword();
      return password === undefined ? undefined : { type: 'password', username, password };
    });
  }

  const handler = (methodsLeft: AuthenticationType[] | null): AnyAuthMethod | false => {
    for (let step = steps.shift(); step; step = steps.shift()) {
      const method = step();
      // methodsLeft is null before the server has said what it accepts.
      if (method && (methodsLeft === null || methodsLeft.includes(serverMethod(method.type)))) return method;
    }
    return false;
  };
  return handler;
}

/**
 * Where the agent is, as ssh decides it: IdentityAgent ('none' disables it,
 * 'SSH_AUTH_SOCK' or '$VAR' name an environment variable, anything else is a path),
 * else $SSH_AUTH_SOCK.
 */
export function agentSocketFor(identityAgent: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK') return nonEmpty(env.SSH_AUTH_SOCK);
  if (identityAgent === 'none') return undefined;
  if (identityAgent.startsWith('$')) return nonEmpty(env[identityAgent.slice(1)]);
  return identityAgent;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** Agent keys travel as "publickey" on the wire. */
function serverMethod(type: AuthenticationType): AuthenticationType {
  return type === 'agent' ? 'publickey' : type;
}

/**
 * An OpenSSH agent that offers only the allowed keys (IdentitiesOnly), remembers what
 * it offered, and turns an unreachable agent into "no keys": ssh2 would otherwise
 * emit a client 'error' for a stale SSH_AUTH_SOCK instead of moving on to the files.
 */
class SelectiveAgent extends ssh2.OpenSSHAgent {
  private offeredKeys: Buffer[] = [];

  constructor(socketPath: string, private readonly allowed: ParsedKey[] | undefined) {
    super(socketPath);
  }

  override getIdentities(callback: IdentityCallback<ParsedKey>): void {
    super.getIdentities((error, entries) => {
      if (error || !entries) return callback(undefined, []);
      // OpenSSHAgent yields parsed keys; the wider type covers other agents.
      const keys = entries.filter((entry): entry is ParsedKey => typeof (entry as ParsedKey).getPublicSSH === 'function');
      const allowed = this.allowed;
      const usable = allowed === undefined ? keys : keys.filter((key) => allowed.some((own) => own.getPublicSSH().equals(key.getPublicSSH())));
      this.offeredKeys = usable.map((key) => key.getPublicSSH());
      callback(undefined, usable);
    });
  }

  offered(key: ParsedKey): boolean {
    const blob = key.getPublicSSH();
    return this.offeredKeys.some((offered) => offered.equals(blob));
  }
}
