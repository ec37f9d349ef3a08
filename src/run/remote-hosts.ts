import { UsageError } from '../errors.js';
import type { SshpoolError } from '../errors.js';
import { connectionSettings } from '../inventory/index.js';
import type { InventoryHost, VariableLookup } from '../inventory/index.js';
import type { RunOptions } from '../settings/run-options.js';
import type { HostTask } from '../tasks/index.js';
import type { HostResult } from './host-result.js';
import type { HostTaskListener } from './host-task.js';

/** A host var as it travels to a worker: rendered already, so the worker reads it as is. */
export type RemoteVariable = string | number | boolean;

/**
 * One host as a worker gets it: its name and the connection vars the
 * controller rendered (address, port, user, connection type, become), never
 * a password and never a key file (keys, agent, known_hosts and ssh_config
 * are the worker's own).
 */
export interface RemoteHost {
  /** Its position in the run's hosts. */
  index: number;
  /** Its inventory name, as its records give it. */
  name: string;
  /** ansible_host, ansible_port, ansible_user, ansible_connection and ansible_become* as rendered; nothing else. */
  vars: Readonly<Record<string, RemoteVariable>>;
  /** Which workers take it (its TAG_VARIABLE); none: the workers without --tag. */
  tag?: string;
}

/** The inventory var that names the workers a host is for (`sshpool worker --tag NAME`). */
export const TAG_VARIABLE = 'sshpool_worker_tag';

/** What a tag may be: it names a queue. */
const TAG_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A tag from a flag or a host var; `where` names it in the error. */
export function checkTag(tag: unknown, where: string): string {
  if (typeof tag !== 'string' || !TAG_PATTERN.test(tag)) throw new UsageError(`${where}: tag ${JSON.stringify(tag)} must be 1 to 64 letters, digits, '.', '_' or '-'`);
  return tag;
}

/** The controller's flags and settings that decide how a host is reached, above ssh_config, as for a local run. */
export type RemoteConnectionOptions = Pick<RunOptions, 'user' | 'port' | 'become' | 'becomeUser' | 'becomeMethod'> & {
  /** From settings files and SSHPOOL_* variables: below the host's vars, as in a local run. */
  hostDefaults?: Pick<NonNullable<RunOptions['hostDefaults']>, 'user' | 'port' | 'become' | 'becomeUser' | 'becomeMethod'>;
};

/** What a remote run is: told to the remote side once, before any host. */
export interface RemoteRunPlan {
  /** The tasks every host runs (a host's own `--vars` rendering travels with that host). */
  tasks: readonly HostTask[];
  /** Every host's name, in input order. */
  hosts: readonly string[];
  /** The controller's flags and settings of how hosts are reached. */
  connection: RemoteConnectionOptions;
}

/**
 * Runs a HostRun's hosts somewhere else (workers through a queue, see
 * src/queue): the run's scheduling, policies, events and records stay the
 * run's, only each host's work goes away and comes back as its records.
 */
export interface RemoteHosts {
  /** Before any host: rejects, with nothing queued, when the remote side cannot take the run. */
  open(plan: RemoteRunPlan): Promise<void>;
  /**
   * One host's tasks (`tasks` when they differ from the plan's): its records,
   * or why it never ran (`signal` took it back before any worker started it, say):
   * the run records it `skipped` with that error. Live output comes through
   * `listener`. Never rejects for a host's failure.
   */
  run(host: RemoteHost, attempt: number, tasks: readonly HostTask[] | undefined, signal: AbortSignal, listener: HostTaskListener): Promise<HostResult[] | SshpoolError>;
  /** Once the run has every record. */
  close(): Promise<void>;
}

/** The plan's connection options: only those the workers apply; the rest of the SSH side is theirs. */
export function remoteConnectionOptions(options: RunOptions): RemoteConnectionOptions {
  const { user, port, become, becomeUser, becomeMethod, hostDefaults } = options;
  const defaults = hostDefaults ? definedOnly({ user: hostDefaults.user, port: hostDefaults.port, become: hostDefaults.become, becomeUser: hostDefaults.becomeUser, becomeMethod: hostDefaults.becomeMethod }) : undefined;
  return definedOnly({ user, port, become, becomeUser, becomeMethod, hostDefaults: defaults && Object.keys(defaults).length > 0 ? defaults : undefined });
}

/**
 * Refuses, before anything is queued, a password to ask (--ask-pass,
 * --ask-become-pass; the library's passwordPrompt, becomePassword): it would
 * have to travel in the payloads.
 */
export function checkNoSecrets(asked: { askPass: boolean; askBecomePass: boolean }): void {
  if (asked.askPass || asked.askBecomePass) {
    throw new UsageError('--ask-pass and --ask-become-pass cannot be used with --redis: task payloads carry no secrets; give the workers keys (their agent or --identity) and passwordless become');
  }
}

/**
 * The host as a worker gets it: connection vars read through `lookup`
 * (templated here, where the whole inventory is), written under their
 * canonical names. A password among them refuses the run (UsageError naming
 * the host): it would travel through Redis.
 */
export function remoteHost(index: number, host: InventoryHost, lookup: VariableLookup): RemoteHost {
  const settings = connectionSettings(host, lookup);
  if (settings.password || settings.become?.password) {
    const which = settings.password ? 'ansible_password' : 'ansible_become_password';
    throw new UsageError(`host '${host.name}': ${which} (or its other names) cannot be sent to workers through --redis (task payloads carry no secrets): give the workers keys and passwordless become, or run without --redis`);
  }
  const { become } = settings;
  const vars = definedOnly({
    ansible_connection: settings.connection,
    ansible_host: settings.hostname,
    ansible_port: settings.port,
    ansible_user: settings.user,
    ansible_become: become?.enabled,
    ansible_become_method: become?.method,
    ansible_become_user: become?.user,
    ansible_become_exe: become?.exe,
    ansible_become_flags: become?.flags,
  });
  const tag = lookup(TAG_VARIABLE);
  return { index, name: host.name, vars, ...(tag === undefined || tag === null ? {} : { tag: checkTag(tag, `host '${host.name}': ${TAG_VARIABLE}`) }) };
}

function definedOnly<T extends object>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
