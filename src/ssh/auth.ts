import type { AnyAuthMethod, AuthenticationType, PublicKeyAuthMethod } from 'ssh2';
import { selectiveAgent } from './agent.js';
import { withCertificate } from './certified-key.js';
import { fingerprintOf, keyTypeOf } from './host-key.js';
import type { HostKeyVerdict } from './host-key.js';
import type { Identity } from './identities.js';

/** What ssh2 calls for the next method: null before the server has said what it accepts; false ends it. */
export interface AuthHandler {
  (methodsLeft: AuthenticationType[] | null): AnyAuthMethod | false;
  /** What the method last handed out is (once authenticated: what logged in), for ping -v; never a secret. */
  lastOffered?(): string | undefined;
}

export interface AuthHandlerOptions {
  username: string;
  /** The agent's socket (see agentSocketFor()); absent for no agent. */
  agentSocket?: string;
  /** From IdentityStore, tried in this order after the agent; those without a private key only through it. */
  identities: readonly Identity[];
  /** IdentitiesOnly: of the agent's keys, offer only those of `identities`. */
  identitiesOnly?: boolean;
  /** Called only when every key has failed; the CLI passes it only with --ask-pass. */
  password?: () => string | undefined;
  /** How the host key check went: a key that contradicts known_hosts gets no password. */
  hostKey?: HostKeyVerdict;
}

/**
 * ssh2's `authHandler` in OpenSSH's order: agent keys, then identity files, then the
 * password. Keys go in already parsed, which ssh2 only honours through an authHandler
 * (it ignores a parsed `privateKey`), and the initial `none` round is skipped.
 * Returns false when everything has been tried, and ssh2 then fails with "All
 * configured authentication methods failed". Build one per connection: it keeps state.
 */
export function buildAuthHandler(options: AuthHandlerOptions): AuthHandler {
  const { username } = options;
  const agent = options.agentSocket === undefined
    ? undefined
    : selectiveAgent(options.agentSocket, options.identitiesOnly ? options.identities.map((identity) => identity.publicKey) : undefined);
  const steps: Array<() => AnyAuthMethod | undefined> = [];
  /** What each method handed out is, for lastOffered(). */
  const descriptions = new Map<AnyAuthMethod, string>();
  const described = (method: AnyAuthMethod, description: string): AnyAuthMethod => {
    descriptions.set(method, description);
    return method;
  };
  // A key read from a file is signed with at once, without asking first whether the server would take
  // it (`signFirst`, patches/ssh2+1.17.0+006+sign-first.patch): a round trip less per login. An agent's
  // keys are still offered first, as their signing may ask for a touch or a confirmation.
  const keyMethod = (key: PublicKeyAuthMethod['key']): AnyAuthMethod => ({ type: 'publickey', username, key, signFirst: true }) as PublicKeyAuthMethod;
  if (agent) steps.push(() => ({ type: 'agent', username, agent }));
  for (const { file, publicKey, privateKey: key, certificate } of options.identities) {
    if (!key) continue; // the agent holds it
    // The certificate first, then the plain key if the server refuses it, as ssh offers them.
    if (certificate) {
      const certified = withCertificate(key, certificate.blob);
      const description = `certificate ${certificate.description} (${certificate.file}, key ${file})`;
      steps.push(() => (agent?.offered(certificate.blob) ? undefined : described(keyMethod(certified), description)));
    }
    // The agent may have offered this key already and the server turned it down.
    const description = `key ${keyTypeOf(publicKey)} ${fingerprintOf(publicKey)} (${file})`;
    steps.push(() => (agent?.offered(publicKey) ? undefined : described(keyMethod(key), description)));
  }
  const { password: askPassword } = options;
  if (askPassword) {
    steps.push(() => {
      const password = askPassword();
      return password === undefined ? undefined : described({ type: 'password', username, password }, 'password');
    });
  }
  // As OpenSSH's check_host_key(): a host whose key contradicts known_hosts may be a man
  // in the middle, and gets nothing it could replay elsewhere; key signatures it cannot.
  const secretsAllowed = options.hostKey?.conflict === undefined;

  let last: AnyAuthMethod | undefined;
  const handler: AuthHandler = (methodsLeft) => {
    for (let step = steps.shift(); step; step = steps.shift()) {
      const method = step();
      if (!method || (!secretsAllowed && SECRET_METHODS.has(method.type))) continue;
      if (methodsLeft === null || methodsLeft.includes(serverMethod(method.type))) {
        last = method;
        return method;
      }
    }
    return false;
  };
  handler.lastOffered = () => (last?.type === 'agent' ? agent?.lastSigned() : last && descriptions.get(last));
  return handler;
}

/** Methods that hand the server a secret (a password, or answers to its prompts). */
const SECRET_METHODS: ReadonlySet<AuthenticationType> = new Set(['password', 'keyboard-interactive']);

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
