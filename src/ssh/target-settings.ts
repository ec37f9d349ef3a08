import { userInfo } from 'node:os';
import { InputError } from '../errors.js';
import type { SshpoolError } from '../errors.js';
import type { BecomeSettings, ConnectionSettings, InventoryHost, VariableLookup } from '../inventory/index.js';
import { connectionSettings, InventoryError, TemplatedVariables } from '../inventory/index.js';
import type { Secret } from '../secret.js';
import type { SshConfigField, SshConfigResolution, SshConfigResolver, StrictHostKeyChecking } from './ssh-config.js';
import { agentSocketFor } from './auth.js';
import { expandProxyCommand } from './proxy-command.js';
import { parseProxyJump } from './proxy-jump.js';
import type { JumpHop } from './proxy-jump.js';
import { defaults } from '../settings/schema.js';
import type { RunOptions, SshOptions } from '../settings/run-options.js';
import { BECOME_METHODS } from '../settings/schema.js';

/** The settings of one SSH hop, all sources merged: nothing left to look up but keys. */
export interface HopSettings {
  /** The name used in messages: the inventory name, or the jump alias. */
  label: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** True only for files named with --identity: other missing files are skipped, as ssh skips them. */
  identityFilesExplicit: boolean;
  /** ssh_config's CertificateFile; when empty, each identity file X's `X-cert.pub` is used if present, as ssh does. */
  certificateFiles: string[];
  identitiesOnly: boolean;
  agentSocket: string | null;
  knownHostsFiles: string[];
  /** GlobalKnownHostsFile: read like knownHostsFiles, never written. */
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  /** What known_hosts is searched for: HostKeyAlias (on port 22, as ssh does), else host name and port. */
  hostKey: { name: string; port: number };
  strictHostKeyChecking: StrictHostKeyChecking;
  connectTimeoutMs: number;
  serverAliveIntervalMs: number;
  serverAliveCountMax: number;
  /** ssh_config's ProxyCommand, tokens expanded: set where it is the transport (the first connection of a chain). */
  proxyCommand?: string;
  /** The inventory's login password (only ever the target's, never a jump host's); --ask-pass beats it. */
  password: Secret | undefined;
}

/** What a host's records say about it, whatever way it is reached. */
interface TargetBase {
  /** The inventory name. */
  label: string;
  /** Where the commands run, as recorded in `address`, `port` and `user`. */
  hostname: string;
  port: number;
  user: string;
  /** The run's --become flags over the host's ansible_become* vars over settings files; undefined: never asked for. */
  become: BecomeSettings | undefined;
}

export interface TargetSettings extends HopSettings, TargetBase {
  kind: 'ssh';
  /** ProxyJump hops, first hop first; empty for a direct connection. */
  jumps: HopSettings[];
  /** The ProxyJump the hops were read from, as written (-J or ssh_config); absent for a direct connection. */
  proxyJump?: string;
  /** Which source gave each connection field, as the merge chose it; `sshpool hosts` explains it (see explainTarget). */
  sources: FieldSources;
  /** The ssh_config lines the host's values were obtained from (shared by the hosts of one alias). */
  sshConfigOrigins: SshConfigResolution['origins'];
}

/**
 * Where one field's value came from: `option` a flag (or the library's option),
 * `host-default` a settings file or SSHPOOL_* variable (SshOptions.hostDefaults),
 * `inventory` a host var, `ssh_config` a line of the file, `default` neither.
 */
export type FieldSource = 'option' | 'host-default' | 'inventory' | 'ssh_config' | 'default';

/** The fields whose source a target records. */
export type SourcedField =
  | 'hostname'
  | 'port'
  | 'user'
  | 'identityFiles'
  | 'certificateFiles'
  | 'proxyJump'
  | 'proxyCommand'
  | 'knownHostsFiles'
  | 'globalKnownHostsFiles'
  | 'strictHostKeyChecking'
  | 'connectTimeoutMs'
  | 'serverAliveIntervalMs'
  | 'hostKeyAlias';

/** A source for every field that has a value (certificateFiles, proxyJump, proxyCommand and hostKeyAlias only when set). */
export type FieldSources = Partial<Record<SourcedField, FieldSource>>;

/** `ansible_connection: local`: commands run on this machine as the user running sshpool (Ansible ignores ansible_user there too). */
export interface LocalTarget extends TargetBase {
  kind: 'local';
}

/** A host whose inventory vars cannot be used (wrong type, unsupported connection type): it gets a record with this error and nothing is attempted. */
export interface RefusedTarget extends TargetBase {
  kind: 'refused';
  error: SshpoolError;
}

export type Target = TargetSettings | LocalTarget | RefusedTarget;
/** A target whose work can be attempted. */
export type ReachableTarget = TargetSettings | LocalTarget;

/** The port recorded for a host reached without SSH (local) or not at all (refused). */
const NO_PORT = 0;

/**
 * How one host is reached. For SSH, merges, highest first: options (CLI
 * flags) > inventory vars > options.hostDefaults (settings files) > ssh_config > defaults. The ssh_config block is
 * looked up by the inventory's host name var when it sets one (that is the
 * name Ansible hands to ssh), else by the inventory name. Inventory vars are
 * read through `lookup`, templated by default. An inventory value that cannot
 * be used (a wrong type, a template or !vault value that fails) refuses that
 * host only; a bad ProxyJump, or a name a ProxyCommand's shell would act on,
 * throws an InputError.
 */
export function resolveTarget(
  host: InventoryHost,
  options: SshOptions & BecomeOptions,
  config: SshConfigResolver,
  lookup: VariableLookup = new TemplatedVariables({ vault: options.vaultSecrets }).of(host).get,
): Target {
  let inventory: ConnectionSettings;
  let become: BecomeSettings | undefined;
  try {
    inventory = connectionSettings(host, lookup);
    become = effectiveBecome(host.name, options, inventory.become);
  } catch (error) {
    // Bad input about this host alone (a wrong type, a value the lookup cannot render): the other hosts still run.
    if (!(error instanceof InputError)) throw error;
    return { kind: 'refused', label: host.name, hostname: host.name, port: NO_PORT, user: '', become: undefined, error };
  }
  if (inventory.connection === 'local') {
    return { kind: 'local', label: host.name, hostname: 'localhost', port: NO_PORT, user: localUser(), become };
  }
  const alias = inventory.hostname ?? host.name;
  const port = firstGiven([options.port, 'option'], [inventory.port, 'inventory'], [options.hostDefaults?.port, 'host-default']);
  const user = firstGiven([options.user, 'option'], [inventory.user, 'inventory'], [options.hostDefaults?.user, 'host-default']);
  const identityFiles = firstGiven<string[]>(
    [options.identityFiles, 'option'],
    [inventory.identityFile ? [inventory.identityFile] : undefined, 'inventory'],
    [options.hostDefaults?.identityFiles, 'host-default'],
  );
  // A user given above ssh_config is ssh's -l: `Match user` sees it, and the file's User is not obtained.
  const resolution = config.resolve(alias, user ? { user: user.value } : {});
  const jumpSpec = options.proxyJump ?? resolution.values.proxyJump;
  const jumps = jumpSpec ? parseProxyJump(jumpSpec).map((jump, index) => resolveJump(jump, options, config, index === 0)) : [];
  // Only a chain's first connection can go through a ProxyCommand. -J (even `-J none`) is obtained
  // before any ssh_config line, so it beats the target's own, as in ssh.
  const proxied = jumps.length === 0 && options.proxyJump === undefined;
  const hop = resolveHop(host.name, alias, resolution, options, proxied, {
    hostname: inventory.hostname === undefined ? undefined : { value: inventory.hostname, source: 'inventory' },
    port,
    user,
    identityFiles,
    password: inventory.password,
  });
  if (jumps.length > 0) hop.sources.proxyJump = options.proxyJump !== undefined ? 'option' : 'ssh_config';
  // hop is this host's own object: extended in place, since V8 copies a spread this wide slowly
  // (it tripled the time of resolving 10,000 hosts).
  return Object.assign(hop, { kind: 'ssh' as const, jumps, proxyJump: jumps.length > 0 ? jumpSpec : undefined, become, sshConfigOrigins: resolution.origins });
}

/** What of RunOptions decides become: flags, settings files (hostDefaults) and the --ask-become-pass answer. */
export type BecomeOptions = Partial<Pick<RunOptions, 'become' | 'becomeUser' | 'becomeMethod' | 'becomePassword' | 'hostDefaults'>>;

/**
 * Flags beat the host's ansible_become* vars, which beat settings files; the
 * asked password beats ansible_become_password. A method sshpool cannot
 * prompt for refuses the host (only when become is on, as Ansible loads the
 * plugin only then).
 */
function effectiveBecome(label: string, options: BecomeOptions, inventory: BecomeSettings | undefined): BecomeSettings | undefined {
  const defaults = options.hostDefaults ?? {};
  const enabled = options.become ?? inventory?.enabled ?? defaults.become;
  if (enabled === undefined && inventory === undefined) return undefined;
  const method = options.becomeMethod ?? inventory?.method ?? defaults.becomeMethod;
  if (enabled && method !== undefined && !(BECOME_METHODS as readonly string[]).includes(method)) {
    throw new InventoryError('INVENTORY_VALUE', `host ${label}: ansible_become_method ${JSON.stringify(method)} is not one sshpool can run (${BECOME_METHODS.join(', ')})`);
  }
  const settings: BecomeSettings = { ...inventory, enabled: enabled ?? false };
  const user = options.becomeUser ?? inventory?.user ?? defaults.becomeUser;
  const password = options.becomePassword ?? inventory?.password;
  if (method !== undefined) settings.method = method;
  if (user !== undefined) settings.user = user;
  if (password !== undefined) settings.password = password;
  return settings;
}

/** A value and the source that gave it. */
interface Given<T> {
  value: T;
  source: FieldSource;
}

/** The first candidate with a value, highest source first. */
function firstGiven<T>(...candidates: ReadonlyArray<readonly [T | undefined, FieldSource]>): Given<T> | undefined {
  for (const [value, source] of candidates) if (value !== undefined) return { value, source };
  return undefined;
}

/** As Ansible's local connection names the user (getpass.getuser()); empty when this uid has no name. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

interface HopOverrides {
  hostname?: Given<string>;
  port?: Given<number>;
  user?: Given<string>;
  identityFiles?: Given<string[]>;
  password?: Secret;
}

/**
 * Jump hops resolve through ssh_config by their own alias, as `ssh -J` does;
 * flags that name the target (-u, -p, -i) do not apply to them.
 */
function resolveJump(jump: JumpHop, options: SshOptions, config: SshConfigResolver, first: boolean): HopSettings {
  const shared: SshOptions = {
    knownHostsFiles: options.knownHostsFiles,
    strictHostKeyChecking: options.strictHostKeyChecking,
    connectTimeoutMs: options.connectTimeoutMs,
    agentSocket: options.agentSocket,
  };
  const port = jump.port === undefined ? undefined : ({ value: jump.port, source: 'option' } as const);
  const user = jump.user === undefined ? undefined : ({ value: jump.user, source: 'option' } as const);
  const { sources: _sources, ...hop } = resolveHop(jump.alias, jump.alias, config.resolve(jump.alias, user ? { user: user.value } : {}), shared, first, { port, user });
  return hop;
}

/**
 * `alias`: the name looked up in ssh_config (ssh's host argument, ProxyCommand's %n);
 * `proxied`: whether ssh_config's ProxyCommand is this hop's transport.
 */
function resolveHop(
  label: string,
  alias: string,
  resolution: SshConfigResolution,
  options: SshOptions,
  proxied: boolean,
  overrides: HopOverrides,
): HopSettings & { sources: FieldSources } {
  const config = resolution.values;
  const fileOrDefault = (field: SshConfigField): FieldSource => (resolution.fromFile.has(field) ? 'ssh_config' : 'default');
  const optionOr = (given: unknown, field: SshConfigField): FieldSource => (given !== undefined ? 'option' : fileOrDefault(field));
  const hostname = overrides.hostname?.value ?? config.hostname;
  const port = overrides.port?.value ?? config.port;
  const user = overrides.user?.value ?? config.user;
  const identityFiles = overrides.identityFiles?.value ?? config.identityFiles;
  const sources: FieldSources = {
    hostname: overrides.hostname?.source ?? fileOrDefault('hostname'),
    port: overrides.port?.source ?? fileOrDefault('port'),
    user: overrides.user?.source ?? fileOrDefault('user'),
    identityFiles: overrides.identityFiles?.source ?? fileOrDefault('identityFiles'),
    knownHostsFiles: optionOr(options.knownHostsFiles, 'userKnownHostsFiles'),
    globalKnownHostsFiles: fileOrDefault('globalKnownHostsFiles'),
    strictHostKeyChecking: optionOr(options.strictHostKeyChecking, 'strictHostKeyChecking'),
    connectTimeoutMs: optionOr(options.connectTimeoutMs, 'connectTimeoutMs'),
    serverAliveIntervalMs: optionOr(options.serverAliveIntervalMs, 'serverAliveIntervalMs'),
  };
  if (config.hostKeyAlias) sources.hostKeyAlias = 'ssh_config';
  if (config.certificateFiles) sources.certificateFiles = 'ssh_config';
  const hop: HopSettings & { sources: FieldSources } = {
    label,
    hostname,
    port,
    user,
    identityFiles,
    identityFilesExplicit: options.identityFiles !== undefined,
    certificateFiles: config.certificateFiles ?? [],
    identitiesOnly: config.identitiesOnly,
    agentSocket: options.agentSocket !== undefined ? options.agentSocket : (agentSocketFor(config.identityAgent) ?? null),
    knownHostsFiles: options.knownHostsFiles ?? config.userKnownHostsFiles,
    globalKnownHostsFiles: config.globalKnownHostsFiles,
    hashKnownHosts: config.hashKnownHosts,
    hostKey: config.hostKeyAlias ? { name: config.hostKeyAlias, port: 22 } : { name: hostname, port },
    strictHostKeyChecking: options.strictHostKeyChecking ?? config.strictHostKeyChecking ?? defaults.strictHostKeyChecking,
    connectTimeoutMs: options.connectTimeoutMs ?? config.connectTimeoutMs ?? defaults.connectTimeoutMs,
    serverAliveIntervalMs: options.serverAliveIntervalMs ?? config.serverAliveIntervalMs ?? defaults.serverAliveIntervalMs,
    serverAliveCountMax: options.serverAliveCountMax ?? config.serverAliveCountMax ?? defaults.serverAliveCountMax,
    password: overrides.password,
    sources,
  };
  if (proxied && config.proxyCommand !== undefined) {
    const tokens = { h: hostname, p: String(port), r: user, n: alias, k: config.hostKeyAlias ?? alias };
    hop.proxyCommand = expandProxyCommand(config.proxyCommand, tokens, label);
    sources.proxyCommand = 'ssh_config';
  }
  return hop;
}
