import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import type { SshOptions } from '../../run/run-options.js';
import type { StrictHostKeyChecking } from '../../ssh/ssh-config.js';
import { promptHidden } from '../prompt.js';
import { parseSeconds, repeatable } from './values.js';

/** Options every command that connects shares (run, ping). */
export function withSshOptions<T>(parser: Argv<T>) {
  return parser
    .option('user', { alias: 'u', type: 'string', describe: 'Remote user (beats inventory ansible_user and ssh_config User)' })
    .option('port', { alias: 'p', type: 'number', describe: 'Remote port (beats ansible_port and ssh_config Port)' })
    .option('identity', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'Private key file to use (repeatable); replaces ansible_ssh_private_key_file and IdentityFile' })
    .option('ssh-config', { alias: 'F', type: 'string', describe: 'ssh_config file to read instead of ~/.ssh/config' })
    .option('known-hosts', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'known_hosts file(s) instead of UserKnownHostsFile (accept-new writes to the first)' })
    .option('strict-host-key-checking', {
      type: 'string',
      choices: ['yes', 'accept-new', 'no'],
      describe: 'Host key policy (default yes: unknown or changed keys fail that host)',
    })
    .option('jump', { alias: 'J', type: 'string', describe: 'ProxyJump hops for every host: [user@]host[:port][,...]' })
    .option('connect-timeout', { type: 'string', describe: 'Seconds for TCP + SSH handshake + auth per host, then for each channel to open (default 10)' })
    .option('server-alive-interval', { type: 'string', describe: 'Seconds between keepalives; a host silent for 3 of them is unreachable (default 15, 0 = off)' })
    .option('ask-pass', { type: 'boolean', default: false, describe: 'Ask once for a password (on the terminal) and try password auth after keys' })
    .option('agent', { type: 'boolean', default: true, describe: 'Use ssh-agent (SSH_AUTH_SOCK); --no-agent turns it off' });
}

export interface SshArgs {
  user?: string;
  port?: number;
  identity?: string[];
  sshConfig?: string;
  knownHosts?: string[];
  strictHostKeyChecking?: string;
  jump?: string;
  connectTimeout?: string;
  serverAliveInterval?: string;
  askPass?: boolean;
  agent?: boolean;
}

export function toSshOptions(args: SshArgs): SshOptions {
  const options: SshOptions = {
    passphrasePrompt: (keyPath) => promptHidden(`Enter passphrase for key '${keyPath}': `),
  };
  if (args.user !== undefined) options.user = args.user;
  if (args.port !== undefined) options.port = validPort(args.port);
  if (args.identity?.length) options.identityFiles = args.identity;
  if (args.sshConfig !== undefined) options.sshConfigFile = args.sshConfig;
  if (args.knownHosts?.length) options.knownHostsFiles = args.knownHosts;
  if (args.strictHostKeyChecking !== undefined) options.strictHostKeyChecking = args.strictHostKeyChecking as StrictHostKeyChecking;
  if (args.jump !== undefined) options.proxyJump = args.jump;
  if (args.connectTimeout !== undefined) options.connectTimeoutMs = parseSeconds(args.connectTimeout, '--connect-timeout', { allowZero: false });
  if (args.serverAliveInterval !== undefined) options.serverAliveIntervalMs = parseSeconds(args.serverAliveInterval, '--server-alive-interval', { allowZero: true });
  if (args.askPass) options.passwordPrompt = () => promptHidden('SSH password: ');
  if (args.agent === false) options.agentSocket = null;
  return options;
}

function validPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port: ${port} is not a port number (1-65535)`);
  return port;
}

/** -f/--forks: how many hosts are worked on at once (pdsh and pssh default to 32). */
export function withForks<T>(parser: Argv<T>) {
  return parser.option('forks', { alias: 'f', type: 'number', default: 32, describe: 'Hosts worked on at once' });
}
