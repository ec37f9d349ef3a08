import * as v from 'valibot';
import { UsageError } from '../errors.js';
import { parseSetting, setting } from './setting.js';
import type { DefaultsOf, OptionsOf, SettingDeclaration, ValuesOf } from './setting.js';
import { HOST_ORDERS, numberOf, parseBytes, parseCount, parseBatchSizes, parseFailLimit, parsePort, parseRate, parsePositiveInteger, parseSeconds } from './values.js';

/** A flag's text, or what YAML makes of the same words (`connect-timeout: 10` is a number). */
const text = v.union([v.string(), v.number()], 'expected a number or a string');
const name = v.string('expected a string');
const onOff = v.boolean('expected true or false');
/** One path, or a list of them (a repeated flag). */
const paths = v.union([v.string(), v.array(v.string())], 'expected a path or a list of paths');

const listOf = (raw: string | string[]): string[] => (Array.isArray(raw) ? raw : [raw]);

function oneOf<const Choice extends string>(choices: readonly Choice[]) {
  return (raw: string, label: string): Choice => {
    if ((choices as readonly string[]).includes(raw)) return raw as Choice;
    throw new UsageError(`${label}: "${raw}" is not one of ${choices.join(', ')}`);
  };
}

const HOST_KEY_POLICIES = ['yes', 'accept-new', 'no'] as const;
/** The values of `-o`/`--output` (RunOutputOptions.mode). */
export const OUTPUT_MODES = ['text', 'gathered', 'json', 'ndjson'] as const;

/** Commands that run a task on every selected host: the scheduling policies and the output modes are theirs. */
const CONNECTING: readonly ['run', 'script', 'copy', 'fetch', 'ping'] = ['run', 'script', 'copy', 'fetch', 'ping'];
/** How hosts are reached and how many at once: also the interactive shell's. */
const REACHING: readonly ['run', 'script', 'copy', 'fetch', 'ping', 'shell'] = ['run', 'script', 'copy', 'fetch', 'ping', 'shell'];
/** How a host is reached: `sshpool hosts` shows what these make of each host; a worker reaches its hosts with its own. */
const DIALLING: readonly ['run', 'script', 'copy', 'fetch', 'ping', 'shell', 'hosts', 'worker'] = ['run', 'script', 'copy', 'fetch', 'ping', 'shell', 'hosts', 'worker'];
/** What a worker takes beside DIALLING: how many hosts at once, its agent. */
const REACHING_AND_WORKER: readonly ['run', 'script', 'copy', 'fetch', 'ping', 'shell', 'worker'] = ['run', 'script', 'copy', 'fetch', 'ping', 'shell', 'worker'];
/** The commands that can hand their hosts to workers through Redis, and the worker itself. */
const QUEUED: readonly ['run', 'script', 'copy', 'fetch', 'ping', 'worker'] = ['run', 'script', 'copy', 'fetch', 'ping', 'worker'];
const RUNNING_COMMANDS: readonly ['run', 'script', 'shell'] = ['run', 'script', 'shell'];
/** Where become applies: commands, and copy's --owner/--mode step. */
const RUN: readonly ['run', 'script', 'copy'] = ['run', 'script', 'copy'];
/** Ansible's become methods that sshpool knows how to prompt for. */
export const BECOME_METHODS = ['sudo', 'su', 'doas'] as const;

/**
 * Every setting, in the order help and documentation list them. Flags that
 * name this one invocation's work (-i, -l, -c, --results, --retry-failed, ...)
 * are not settings: a file that sets them would make every run the same one.
 */
export const SETTINGS = [
  setting({
    key: 'forks', alias: 'f', field: 'forks', options: 'run', flag: 'string', input: text, default: 32,
    parse: (raw, label) => parsePositiveInteger(numberOf(raw, label), label),
    help: 'Hosts worked on at once (pdsh and pssh default to 32); through Redis over all the workers, and on each worker by that worker', commands: REACHING_AND_WORKER,
  }),
  setting({
    key: 'max-fail', flag: 'string', input: text, unset: 'no limit',
    parse: (raw, label) => parseFailLimit(raw, label),
    help: "Once more than N hosts (or P% of them) failed, start no more; the rest are skipped with MAX_FAIL (Ansible's max_fail_percentage; 0 is pdsh -k)",
    commands: CONNECTING,
  }),
  setting({
    key: 'batch', flag: 'string', input: text, unset: 'one batch of every host',
    parse: (raw, label) => parseBatchSizes(raw, label),
    help: "Rolling batches of N hosts, P% of them, or a list (1,5,20%: the last repeats), each finished before the next starts (Ansible's serial)",
    commands: CONNECTING,
  }),
  setting({
    key: 'retries', flag: 'string', input: text, default: 0,
    parse: (raw, label) => parseCount(numberOf(raw, label), label),
    help: 'Times to try a host again when it could not be connected to for a reason that may pass (refused, reset, dropped by MaxStartups, timed out, handshake); never once a command started',
    commands: CONNECTING,
  }),
  setting({
    key: 'retry-delay', flag: 'string', input: text, default: 1,
    parse: (raw, label) => parseSeconds(String(raw), label, { allowZero: false }),
    help: 'Seconds: the backoff base; retry k waits a random time up to min(D × 2^(k-1), 32 × D) (full jitter)', commands: CONNECTING,
  }),
  setting({
    key: 'connect-rate', field: 'connectRate', options: 'ssh', flag: 'string', input: text, unset: 'no pacing',
    parse: (raw, label) => parseRate(raw, label),
    help: 'New connections per second over the whole run (N/s), spaced evenly, jump hosts and hosts behind them alike', commands: CONNECTING,
  }),
  setting({
    key: 'jump-startups', field: 'jumpStartups', options: 'ssh', flag: 'string', input: text, unset: '8',
    parse: (raw, label) => parsePositiveInteger(numberOf(raw, label), label),
    help: "Connections through one jump host to one address not yet authenticated at once (below sshd's MaxStartups start of 10); the rest wait their turn", commands: CONNECTING,
  }),
  setting({
    key: 'order', flag: 'string', input: name, choices: HOST_ORDERS, default: 'inventory',
    parse: oneOf(HOST_ORDERS),
    help: "Which host starts first: inventory, reverse_inventory, sorted, reverse_sorted or shuffle (Ansible's order); records stay in inventory order",
    commands: CONNECTING,
  }),
  setting({
    key: 'seed', flag: 'string', input: text, unset: 'random, printed in a warning',
    parse: (raw, label) => parseCount(numberOf(raw, label), label),
    help: 'The seed of --order shuffle (the same seed, the same order)', commands: CONNECTING,
  }),
  setting({
    key: 'redis', flag: 'string', input: name, unset: 'none: hosts are worked on here',
    help: 'redis://[:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS): hand each host to `sshpool worker` processes through this Redis (a password in $SSHPOOL_REDIS or a settings file, not on the command line)',
    commands: QUEUED,
  }),
  setting({
    key: 'redis-max-upload', flag: 'string', input: text, default: '256M',
    parse: (raw, label) => parseBytes(String(raw), label),
    help: 'Bytes of local file contents a copy through Redis may store there, each distinct content once (K/M/G suffixes); a larger copy is refused before anything is queued',
    commands: ['copy'],
  }),
  setting({
    key: 'redis-max-fetch', flag: 'string', input: text, default: '256M',
    parse: (raw, label) => parseBytes(String(raw), label),
    help: "Bytes of one host's files a fetch through Redis may send back through it (K/M/G suffixes); a file past it stays on the worker, its error FILE_OVER_REDIS_LIMIT in the host's record",
    commands: ['fetch'],
  }),
  setting({
    key: 'concurrency-per-host', flag: 'string', input: text, unset: 'no limit',
    parse: (raw, label) => parsePositiveInteger(numberOf(raw, label), label),
    help: "A worker's jobs on one host (its address and port) at once, over every run it serves (several controllers' runs at once); the others wait their turn",
    commands: ['worker'],
  }),
  setting({
    key: 'timeout', alias: 't', field: 'commandTimeoutMs', options: 'run', flag: 'string', input: text, default: 0,
    parse: (raw, label) => parseSeconds(String(raw), label, { allowZero: true }),
    help: 'Seconds a command may run per host; then it is killed (0: no limit)', commands: RUNNING_COMMANDS,
  }),
  setting({
    key: 'connect-timeout', field: 'connectTimeoutMs', options: 'ssh', flag: 'string', input: text, default: 10,
    parse: (raw, label) => parseSeconds(String(raw), label, { allowZero: false }),
    help: 'Seconds for TCP + SSH handshake + auth per host, then for each channel to open (beats ssh_config ConnectTimeout)', commands: DIALLING,
  }),
  setting({
    key: 'server-alive-interval', field: 'serverAliveIntervalMs', options: 'ssh', flag: 'string', input: text, default: 15,
    parse: (raw, label) => parseSeconds(String(raw), label, { allowZero: true }),
    help: 'Seconds between keepalives (0: off; OpenSSH is off by default, which would hang on a frozen host)', commands: DIALLING,
  }),
  setting({
    key: 'server-alive-count-max', field: 'serverAliveCountMax', options: 'ssh', flag: 'string', input: text, default: 3,
    parse: (raw, label) => parseCount(numberOf(raw, label), label),
    help: 'Keepalives unanswered before a host is unreachable', commands: DIALLING,
  }),
  setting({
    key: 'max-output', field: 'maxOutputBytes', options: 'run', flag: 'string', input: text, default: '1M',
    parse: (raw, label) => parseBytes(String(raw), label),
    help: 'Output kept per host and stream (K/M/G suffixes); the rest is streamed, not kept', commands: RUNNING_COMMANDS,
  }),
  setting({
    key: 'user', alias: 'u', field: 'user', options: 'ssh', flag: 'string', input: name, perHost: true, unset: 'ansible_user, then ssh_config User',
    help: 'Remote user', commands: DIALLING,
  }),
  setting({
    key: 'port', alias: 'p', field: 'port', options: 'ssh', flag: 'string', input: text, perHost: true, unset: 'ansible_port, then ssh_config Port',
    parse: (raw, label) => parsePort(numberOf(raw, label), label),
    help: 'Remote port', commands: DIALLING,
  }),
  setting({
    key: 'identity', field: 'identityFiles', options: 'ssh', flag: 'repeatable', input: paths, path: true, perHost: true,
    unset: 'ansible_ssh_private_key_file, then IdentityFile',
    parse: (raw) => listOf(raw),
    help: 'Private key file(s) to use, replacing ansible_ssh_private_key_file and IdentityFile (repeatable)', commands: DIALLING,
  }),
  setting({
    key: 'ssh-config', alias: 'F', field: 'sshConfigFile', options: 'ssh', flag: 'string', input: name, path: true, unset: '~/.ssh/config',
    help: 'ssh_config file to read instead of ~/.ssh/config', commands: DIALLING,
  }),
  setting({
    key: 'known-hosts', field: 'knownHostsFiles', options: 'ssh', flag: 'repeatable', input: paths, path: true, unset: 'UserKnownHostsFile',
    parse: (raw) => listOf(raw),
    help: 'known_hosts file(s) instead of UserKnownHostsFile; accept-new writes to the first (repeatable)', commands: DIALLING,
  }),
  setting({
    key: 'strict-host-key-checking', field: 'strictHostKeyChecking', options: 'ssh', flag: 'string', input: name, choices: HOST_KEY_POLICIES, default: 'yes',
    parse: oneOf(HOST_KEY_POLICIES),
    help: 'Host key policy: yes (unknown or changed keys fail that host), accept-new or no (beats ssh_config StrictHostKeyChecking)', commands: DIALLING,
  }),
  setting({
    key: 'jump', alias: 'J', field: 'proxyJump', options: 'ssh', flag: 'string', input: name, unset: "ssh_config's ProxyJump",
    help: 'ProxyJump hops for every host: [user@]host[:port][,...] (none: no jump)', commands: DIALLING,
  }),
  setting({
    key: 'agent', flag: 'boolean', input: onOff, default: true,
    help: 'Use ssh-agent (SSH_AUTH_SOCK, or ssh_config IdentityAgent); --no-agent turns it off', commands: REACHING_AND_WORKER,
  }),
  setting({
    key: 'ask-pass', flag: 'boolean', input: onOff, default: false,
    help: 'Ask once for a password (on the terminal) and try password auth after keys', commands: REACHING,
  }),
  setting({
    key: 'become', alias: 's', field: 'become', options: 'run', flag: 'boolean', input: onOff, perHost: true, unset: 'ansible_become, else off',
    help: 'Run the commands as --become-user through --become-method (Ansible\'s --become; -s as its old --sudo)', commands: RUN,
  }),
  setting({
    key: 'become-user', field: 'becomeUser', options: 'run', flag: 'string', input: name, perHost: true, unset: 'ansible_become_user, else root',
    help: 'The user --become runs the commands as', commands: RUN,
  }),
  setting({
    key: 'become-method', field: 'becomeMethod', options: 'run', flag: 'string', input: name, choices: BECOME_METHODS, perHost: true,
    unset: 'ansible_become_method, else sudo', parse: oneOf(BECOME_METHODS),
    help: 'How --become changes user: sudo, su or doas', commands: RUN,
  }),
  setting({
    key: 'ask-become-pass', alias: 'K', flag: 'boolean', input: onOff, default: false,
    help: 'Ask once (on the terminal, before the run) for the password --become sends when the remote prompt asks', commands: RUN,
  }),
  setting({
    key: 'output', alias: 'o', flag: 'string', input: name, choices: OUTPUT_MODES, default: 'text',
    parse: oneOf(OUTPUT_MODES),
    help: 'text: host-prefixed lines as they come; gathered: identical output grouped at the end; json: one array at the end; ndjson: one record per line as hosts finish',
    commands: CONNECTING,
  }),
  setting({
    key: 'quiet', alias: 'q', flag: 'boolean', input: onOff, default: false,
    help: 'No progress line and no summary', commands: CONNECTING,
  }),
  setting({
    key: 'summary', flag: 'boolean', input: onOff, unset: 'when stderr is a terminal',
    help: 'Print the end-of-run summary on stderr', commands: CONNECTING,
  }),
  setting({
    key: 'sanitize', flag: 'boolean', input: onOff, unset: 'on terminals only',
    help: 'Escape control characters in host output (\\x1b, \\r, ...) also when not writing to a terminal; --no-sanitize: never, even on a terminal',
    commands: REACHING,
  }),
] as const;

/** Any one of them, for code that walks the list. */
export type Setting = SettingDeclaration<any, any>;
export type SettingKey = (typeof SETTINGS)[number]['key'];

/** The settings every connecting command takes, as SshOptions fields: derived from SETTINGS. */
export type SshSettingOptions = OptionsOf<typeof SETTINGS, 'ssh'>;
/** The settings RunOptions adds to SshOptions (forks, commandTimeoutMs, maxOutputBytes): derived from SETTINGS. */
export type RunSettingOptions = OptionsOf<typeof SETTINGS, 'run'>;

const BY_KEY = new Map<string, Setting>(SETTINGS.map((declaration) => [declaration.key, declaration]));

export function settingByKey(key: string): Setting | undefined {
  return BY_KEY.get(key);
}

/** The library's defaults, parsed from the declared ones; a field without a default is looked up elsewhere (inventory, ssh_config) or means "off". */
export const defaults = Object.fromEntries(
  SETTINGS.filter((declaration: Setting) => declaration.field !== undefined && declaration.default !== undefined).map((declaration: Setting) => [
    declaration.field,
    parseSetting(declaration, declaration.default, declaration.key),
  ]),
) as DefaultsOf<typeof SETTINGS>;

/** Each setting's parsed value by settings key, as settingValue gives it. */
export type SettingValues = ValuesOf<typeof SETTINGS>;
