import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { HostResult } from '../../src/run/host-result.js';
import { Fleet } from '../fleet/index.js';
import { runCliProcess } from './cli-process.js';

/** Inventory hosts by name, with their vars. */
export type Hosts = Record<string, Record<string, unknown>>;

/** A real sshd fleet for one describe block, driven through the real binary with inventories written per test. */
export interface FleetCli {
  readonly fleet: Fleet;
  /** The fleet's own hosts, as its inventory lists them, to put in other inventories. */
  readonly fleetHosts: Hosts;
  /** A directory of the block's own, removed after it. */
  readonly scratch: string;
  /** The binary, with no agent in its environment. */
  sshpool(args: string[], onSpawn?: (child: ChildProcess) => void): ReturnType<typeof runCliProcess>;
  /** An inventory of these hosts in the order given: the order the run's records keep. */
  inventory(name: string, hosts: Hosts): Promise<string>;
  /** The options every run here takes: the inventory, the fleet's known_hosts, no ssh_config, no agent, json. */
  base(inventoryPath: string): string[];
  /** The json output's records. */
  records(stdout: string): HostResult[];
}

/** Starts a fleet of `hosts` before the enclosing describe's tests and stops it after them. */
export function fleetCli(hosts: number, scratchPrefix: string): FleetCli {
  let fleet: Fleet | undefined;
  let scratch = '';
  let fleetHosts: Hosts = {};
  before(async () => {
    fleet = await Fleet.start({ hosts });
    scratch = await mkdtemp(path.join(tmpdir(), scratchPrefix));
    fleetHosts = (parse(await readFile(fleet.inventoryPath, 'utf8')) as { all: { children: { fleet: { hosts: Hosts } } } }).all.children.fleet.hosts;
  });
  after(async () => {
    await fleet?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  const started = (): Fleet => {
    if (!fleet) throw new Error('the fleet is started before the tests');
    return fleet;
  };
  return {
    get fleet() {
      return started();
    },
    get fleetHosts() {
      return fleetHosts;
    },
    get scratch() {
      return scratch;
    },
    sshpool: (args, onSpawn) => runCliProcess(args, { env: { ...process.env, SSH_AUTH_SOCK: '' }, ...(onSpawn ? { onSpawn } : {}) }),
    inventory: async (name, inventoryHosts) => {
      const file = path.join(scratch, `${name}.yaml`);
      await writeFile(file, stringify({ all: { hosts: inventoryHosts } }));
      return file;
    },
    base: (inventoryPath) => ['-i', inventoryPath, '--known-hosts', started().knownHostsPath, '-F', '/dev/null', '--no-agent', '-o', 'json'],
    records: (stdout) => JSON.parse(stdout) as HostResult[],
  };
}
