import type { RemoteConnectionOptions, RemoteHost } from '../run/remote-hosts.js';
import type { HostTask } from '../tasks/index.js';

/** A task as JSON carries it: byte arrays (a script, -I's stdin) as base64. */
export type EncodedTask = unknown;

/** A BullMQ job's data: one host of one run. */
export interface HostJob {
  runId: string;
  host: RemoteHost;
  attempt: number;
  /** The host's own tasks (`--vars` rendered them); else the plan's. */
  tasks?: EncodedTask[];
}

/** What the controller writes once per run, before any job. */
export interface StoredRunPlan {
  /** Of this layout; a newer one is refused by this version's workers. */
  version: 1;
  /** What every host runs (a host's own `--vars` rendering travels with its job). */
  tasks: EncodedTask[];
  /** Every host's name, in input order: what --attach reports on. */
  hosts: readonly string[];
  /** The controller's flags that decide how hosts are reached, above the workers' ssh_config. */
  connection: RemoteConnectionOptions;
  /** When the controller queued it (ISO 8601). */
  createdAt: string;
  /** The bytes a host's fetches may send back through Redis (`redis-max-fetch`); absent in plans of runs without fetches. */
  maxFetchBytes?: number;
}

const BYTES = '$sshpoolBytes';

export function encodeTasks(tasks: readonly HostTask[]): EncodedTask[] {
  return JSON.parse(JSON.stringify(tasks, (_key, value: unknown) => (value instanceof Uint8Array ? { [BYTES]: Buffer.from(value).toString('base64') } : value))) as EncodedTask[];
}

export function decodeTasks(tasks: readonly EncodedTask[]): HostTask[] {
  return JSON.parse(JSON.stringify(tasks), (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && BYTES in value) return Buffer.from(String((value as Record<string, unknown>)[BYTES]), 'base64');
    return value;
  }) as HostTask[];
}
