import type { InventoryHost, VariableLookup } from '../inventory/index.js';
import { BECOME_VARIABLES, CONNECTION_VARIABLE, HOSTNAME_VARIABLES, IDENTITY_VARIABLES, PORT_VARIABLES, TemplatedVariables, USER_VARIABLES, winningVariable } from '../inventory/index.js';
import type { SshOptions } from '../settings/run-options.js';
import { SshConfigResolver } from './ssh-config.js';
import { resolveTarget } from './target-settings.js';
import { toErrorRecord } from '../errors.js';
import type { ErrorRecord } from '../errors.js';
import type { SettingOrigin } from '../settings/sources.js';
import type { SshConfigField } from './ssh-config.js';
import type { FieldSource, SourcedField, Target, TargetSettings } from './target-settings.js';

/**
 * Where one shown value came from: a setting's source (a flag, a settings
 * file's line, an SSHPOOL_* variable), an inventory var (with the file and
 * line that set it), an ssh_config line, or sshpool's default.
 */
export type ValueOrigin =
  | SettingOrigin
  | {
      /** A host var from the inventory. */
      source: 'inventory';
      /** Its name (`ansible_user`). */
      variable: string;
      /** The inventory or vars file that set it, when read from one. */
      file?: string;
      /** 1-based. */
      line?: number;
      /** 1-based. */
      column?: number;
    }
  | {
      /** A line of the ssh_config file or of a file it includes. */
      source: 'ssh_config';
      /** The file's path. */
      file: string;
      /** 1-based. */
      line: number;
    }
  | {
      /** A setting given to the library as an option, from no file or flag sshpool knows of. */
      source: 'option';
      /** The setting's key (`user`, `connect-timeout`). */
      setting: string;
    };

/** The inventory's become vars, as read; the password only as whether one is set. */
export interface BecomeReport {
  /** ansible_become. */
  enabled: boolean;
  /** ansible_become_method. */
  method?: string;
  /** ansible_become_user. */
  user?: string;
  /** ansible_become_exe. */
  exe?: string;
  /** ansible_become_flags. */
  flags?: string;
  /** Whether ansible_become_password (or _pass) is set; its value is never shown. */
  passwordSet: boolean;
}

/** One host's effective connection, as `sshpool hosts` prints it: what `ssh -G` says, with where each value came from. */
export interface HostReport {
  /** The inventory name. */
  name: string;
  /** How it is reached: over SSH, on this machine (ansible_connection: local), or not at all (its vars cannot be used). */
  connection: 'ssh' | 'local' | 'refused';
  /** The address dialled. */
  hostname: string;
  /** The port dialled. */
  port?: number;
  /** The login user (the local user for a local host). */
  user?: string;
  /** The private keys tried, `~` and %-tokens expanded. */
  identityFiles?: string[];
  /** ssh_config's CertificateFile lines, expanded (an IdentityFile's `-cert.pub` beside it is found when the keys load, as ssh finds it). */
  certificateFiles?: string[];
  /** The jump hosts, as written (-J or ssh_config ProxyJump). */
  proxyJump?: string;
  /** ssh_config's ProxyCommand, tokens expanded, as it would run. */
  proxyCommand?: string;
  /** The known_hosts files searched (and, with accept-new, written to the first). */
  userKnownHostsFiles?: string[];
  /** The system-wide known_hosts files, read only. */
  globalKnownHostsFiles?: string[];
  /** yes, accept-new or no. */
  strictHostKeyChecking?: string;
  /** Seconds. */
  connectTimeout?: number;
  /** Seconds; 0 is off. */
  serverAliveInterval?: number;
  /** The name known_hosts is searched for instead of the host name. */
  hostKeyAlias?: string;
  /** The inventory's ansible_become* vars, when any is set (--become flags are not shown). */
  become?: BecomeReport;
  /** Why a refused host is not attempted. */
  error?: ErrorRecord;
  /** Where each field above came from, by field name (`become.user` for the become fields). */
  origins: Record<string, ValueOrigin>;
}

/** What explainTarget needs besides the host and its target. */
export interface ExplainOptions {
  /** The host's vars as resolveTarget read them (templated); default the raw vars. */
  lookup?: VariableLookup;
  /** Where a setting given as an option came from (the CLI's flags, files and variables); without it, `option`. */
  settingOrigin?: (key: string) => SettingOrigin | undefined;
}

/** A reported field: where resolveTarget keeps it, the ssh_config field it may come from, the setting that may give it, the vars that may. */
interface FieldSpec {
  report: keyof HostReport;
  target: SourcedField;
  sshConfig: SshConfigField;
  setting?: string;
  variables?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { report: 'hostname', target: 'hostname', sshConfig: 'hostname', variables: HOSTNAME_VARIABLES },
  { report: 'port', target: 'port', sshConfig: 'port', setting: 'port', variables: PORT_VARIABLES },
  { report: 'user', target: 'user', sshConfig: 'user', setting: 'user', variables: USER_VARIABLES },
  { report: 'identityFiles', target: 'identityFiles', sshConfig: 'identityFiles', setting: 'identity', variables: IDENTITY_VARIABLES },
  { report: 'certificateFiles', target: 'certificateFiles', sshConfig: 'certificateFiles' },
  { report: 'proxyJump', target: 'proxyJump', sshConfig: 'proxyJump', setting: 'jump' },
  { report: 'proxyCommand', target: 'proxyCommand', sshConfig: 'proxyCommand' },
  { report: 'userKnownHostsFiles', target: 'knownHostsFiles', sshConfig: 'userKnownHostsFiles', setting: 'known-hosts' },
  { report: 'globalKnownHostsFiles', target: 'globalKnownHostsFiles', sshConfig: 'globalKnownHostsFiles' },
  { report: 'strictHostKeyChecking', target: 'strictHostKeyChecking', sshConfig: 'strictHostKeyChecking', setting: 'strict-host-key-checking' },
  { report: 'connectTimeout', target: 'connectTimeoutMs', sshConfig: 'connectTimeoutMs', setting: 'connect-timeout' },
  { report: 'serverAliveInterval', target: 'serverAliveIntervalMs', sshConfig: 'serverAliveIntervalMs', setting: 'server-alive-interval' },
  { report: 'hostKeyAlias', target: 'hostKeyAlias', sshConfig: 'hostKeyAlias' },
];

const BECOME_FIELDS = ['enabled', 'method', 'user', 'exe', 'flags', 'password'] as const;

/**
 * What resolveTarget decided for a host, with each value's origin: the source
 * the target recorded for it, made precise (which var and where it was set,
 * which ssh_config line, which flag, file or variable). Connects to nothing.
 */
export function explainTarget(host: InventoryHost, target: Target, options: ExplainOptions = {}): HostReport {
  const lookup = options.lookup ?? ((name: string) => host.vars[name]);
  const origins: Record<string, ValueOrigin> = {};
  const variableOrigin = (names: readonly string[]): ValueOrigin | undefined => {
    const variable = winningVariable(names, lookup)?.name;
    return variable === undefined ? undefined : { source: 'inventory', variable, ...host.origins?.[variable] };
  };
  const report: HostReport = { name: host.name, connection: target.kind, hostname: target.hostname, origins };
  if (target.kind === 'refused') return { ...report, error: toErrorRecord(target.error) };
  const connection = variableOrigin([CONNECTION_VARIABLE]);
  if (connection) origins.connection = connection;
  if (target.become) {
    const { password, ...shown } = target.become;
    report.become = { ...shown, passwordSet: password !== undefined };
    for (const field of BECOME_FIELDS) {
      const origin = variableOrigin(BECOME_VARIABLES[field]);
      if (origin) origins[`become.${field}`] = origin;
    }
  }
  if (target.kind === 'local') return { ...report, user: target.user };
  Object.assign(report, sshValues(target));
  for (const field of FIELDS) {
    const source = target.sources[field.target];
    if (source === undefined) continue;
    origins[field.report] = fieldOrigin(field, source, target, variableOrigin, options.settingOrigin);
  }
  return report;
}

function sshValues(target: TargetSettings): Partial<HostReport> {
  const values: Partial<HostReport> = {
    port: target.port,
    user: target.user,
    identityFiles: target.identityFiles,
    userKnownHostsFiles: target.knownHostsFiles,
    globalKnownHostsFiles: target.globalKnownHostsFiles,
    strictHostKeyChecking: target.strictHostKeyChecking,
    connectTimeout: target.connectTimeoutMs / 1000,
    serverAliveInterval: target.serverAliveIntervalMs / 1000,
  };
  if (target.certificateFiles.length > 0) values.certificateFiles = target.certificateFiles;
  if (target.proxyJump !== undefined) values.proxyJump = target.proxyJump;
  if (target.proxyCommand !== undefined) values.proxyCommand = target.proxyCommand;
  if (target.sources.hostKeyAlias) values.hostKeyAlias = target.hostKey.name;
  return values;
}

function fieldOrigin(
  field: FieldSpec,
  source: FieldSource,
  target: TargetSettings,
  variableOrigin: (names: readonly string[]) => ValueOrigin | undefined,
  settingOrigin: ExplainOptions['settingOrigin'],
): ValueOrigin {
  switch (source) {
    case 'inventory':
      return variableOrigin(field.variables ?? []) ?? { source: 'default' };
    case 'ssh_config': {
      const at = target.sshConfigOrigins.get(field.sshConfig);
      return at ? { source: 'ssh_config', file: at.file, line: at.line } : { source: 'default' };
    }
    case 'option':
    case 'host-default':
      return (field.setting && settingOrigin?.(field.setting)) || { source: 'option', setting: field.setting ?? field.report };
    case 'default':
      return { source: 'default' };
  }
}

/**
 * Every host's effective connection, in the order given, without connecting:
 * ssh_config read once (options.sshConfigFile, else ~/.ssh/config), vars
 * templated as a run templates them.
 * @throws SshConfigError for a malformed ssh_config; an InputError for a bad ProxyJump.
 */
export async function explainHosts(
  hosts: readonly InventoryHost[],
  options: SshOptions,
  settingOrigin?: ExplainOptions['settingOrigin'],
): Promise<{
  /** One per host, in the order given. */
  reports: HostReport[];
  /** ssh_config lines sshpool ignored or treats conservatively, with file and line. */
  warnings: readonly string[];
}> {
  const config = await SshConfigResolver.load(options.sshConfigFile);
  const variables = new TemplatedVariables({ vault: options.vaultSecrets });
  const reports = hosts.map((host) => {
    const { get: lookup } = variables.of(host);
    return explainTarget(host, resolveTarget(host, options, config, lookup), { lookup, settingOrigin });
  });
  return { reports, warnings: config.warnings };
}
