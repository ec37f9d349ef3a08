import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/cli.js';
import { InputError } from '../../src/errors.js';
import { connectionSettings, InventoryError, loadInventory, TemplatedVariables } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { AnsibleCli } from '../helpers/ansible-cli.js';
import type { AnsibleCommand, AnsibleOutput as Output } from '../helpers/ansible-cli.js';

/**
 * sshpool's inventory against the real Ansible (Debian's ansible-core): the
 * same --list JSON, --graph text and --host vars, and host patterns selecting
 * the hosts `ansible PATTERN --list-hosts` lists, in its order. Skipped when
 * ansible-inventory is not installed. The differences sshpool keeps on purpose
 * are asserted on both sides at the end, so the README's list of them stays true.
 */

/** The compiled test runs from build/test/inventory; the fixtures stay in the source tree. */
const FIXTURES = fileURLToPath(new URL('../../../test/inventory/ansible-fixtures/', import.meta.url));

interface Fixture {
  /** -i values: paths relative to FIXTURES, or a comma host list as it is. */
  sources: string[];
  /** For --host (none when the inventory has no host). */
  hosts: string[];
  /** Groups for --graph (with and without --vars). */
  graphs: string[];
  patterns: string[];
  /**
   * Ansible orders a grandchild group's hosts in Python set order, which varies run to run: compare these
   * patterns (true: every pattern) as sets.
   */
  unordered?: true | readonly string[];
  /** Why --graph --vars differs, when it does. */
  graphVarsDiffer?: string;
}

const PATTERNS = [
  'all', '*', 'web', 'db', 'web:db', 'web,db', 'web:&prod', 'web:!web02', '!web:all', 'all:!web', '!web', '&web',
  'web*', 'w?b*', '*.local', '~web0[12]', '~web[0-9]+$', '~(db|prod)', 'web[0]', 'web[1:2]', 'web[-1]', 'web[1:]',
  'web[0:0]', 'web[2:1]', 'web[7]', 'web[-5]', 'db[0]:web[0]', 'prod:&db:!web01', '&prod:db', '!db', 'db:&prod',
  'ungrouped', 'lonely', 'web01, db01', ' web ', 'web::db', 'empty', 'empty:web', 'nomatch', 'web:nomatch',
  'web:!nomatch', 'Web01', '~(', 'web0[1-2]', 'web:&db:&prod',
];

const CASES: Record<string, Fixture> = {
  'INI rules': {
    sources: ['ini-rules.ini'],
    hosts: ['lone1', 'lone2', 'web01.example.com', 'web04.example.com', 'dba', 'db-3'],
    graphs: ['all', 'prod', 'web'],
    patterns: ['all', 'prod', 'prod:!web', 'staging:&prod', 'ungrouped', 'db[1:2]', '~db-[0-9]', 'db_replicas:web[0]'],
  },
  'INI tuples': {
    sources: ['ini-tuples.ini'],
    hosts: ['h1'],
    graphs: ['all'],
    patterns: ['all'],
    graphVarsDiffer: 'Python prints a tuple as (1, 2), sshpool as the list it is in JSON, [1, 2]',
  },
  'INI without an extension, YAML and a script in a directory': {
    sources: ['ini-dir'],
    hosts: ['web1', 'web2', 'web3', 's1'],
    graphs: ['all', 'web'],
    patterns: ['all', 'web:&scripted', 'ignored'],
  },
  'inventory script with _meta': {
    sources: ['script.py'],
    hosts: ['web1', 'web2', 'db1', 'bastion'],
    graphs: ['all', 'web'],
    patterns: ['all', '2024', 'bastion', 'web:&2024'],
  },
  'inventory script without _meta (--host per host)': {
    sources: ['script-host.sh'],
    hosts: ['app1', 'app2'],
    graphs: ['all'],
    patterns: ['all', 'ops'],
  },
  'empty INI file': {
    sources: ['empty.ini'],
    hosts: [],
    graphs: ['all'],
    patterns: ['all'],
  },
  'INI and YAML merged': {
    sources: ['ini-rules.ini', 'extra.yml'],
    hosts: ['web01', 'redis1', 'lone1'],
    graphs: ['all'],
    patterns: ['all', 'prod:&cache'],
  },
  nested: {
    sources: ['nested.yml'],
    hosts: ['web1', 'web2', 'mon1', 'mon2'],
    graphs: ['all', 'prod_web'],
    patterns: ['all', 'prod', 'prod_web', 'prod_web_eu*', 'prod:monitoring', 'monitoring:prod', 'backup:&prod', '!prod', 'prod[-1]', 'prod[0:1]', '*web*', '~prod_web_eu', 'alpha:backup:monitoring', 'ungrouped', 'bastion:web1'],
  },
  ranges: {
    sources: ['ranges.yml'],
    hosts: ['node09.example.com', 'app2', 'xd'],
    graphs: ['all'],
    patterns: ['all', 'padded', 'node09.example.com', 'node[08:09].example.com', 'node0*', 'shard*', 'app2', 'letters[2:3]', 'x*', 'rack2-u0?', 't*:&strides'],
  },
  values: {
    sources: ['values.yml'],
    hosts: ['h2', 'h3', 'h5'],
    graphs: ['all', 'base'],
    patterns: ['all', 'base', 'special', 'h*', 'empty_group', 'empty_hosts', 'empty*', 'string_hosts', 'defaults'],
  },
  scalars: {
    sources: ['scalars.yml'],
    hosts: ['s1'],
    graphs: ['all'],
    patterns: ['all'],
    graphVarsDiffer: 'Python prints 1500.0 and "2024-01-31 10:20:30.500000+02:00" where sshpool prints 1500 and the isoformat() string',
  },
  patterns: {
    sources: ['patterns.yml'],
    hosts: ['db', 'web02', 'lonely'],
    graphs: ['all', 'web'],
    patterns: PATTERNS,
  },
  directory: {
    sources: ['dir'],
    hosts: ['web1', 'web3', 'db1'],
    graphs: ['all'],
    patterns: ['all', 'web', 'db', 'ungrouped', 'web:!web1'],
  },
  'two files': {
    sources: ['patterns.yml', 'extra.yml'],
    hosts: ['web01', 'db01'],
    graphs: ['all'],
    patterns: ['all', 'db', '&db', 'cache', 'db:&cache', '!cache:db01', 'cache:!db', 'cache:&prod'],
  },
  'host list': {
    sources: ['a,b:2222,c'],
    hosts: ['a', 'b'],
    graphs: ['all'],
    patterns: ['all', 'b', '*', 'ungrouped', 'a:c', '!b'],
  },
  'file and host list': {
    sources: ['nested.yml', 'x1,web1:2200,'],
    hosts: ['x1', 'web1'],
    graphs: ['all'],
    patterns: ['all', 'ungrouped', 'x1:prod', 'web1'],
  },
  siblings: {
    sources: ['siblings.yml'],
    hosts: ['h_a1'],
    graphs: ['all'],
    patterns: ['all', 'a:b', 'c', '!c', '*1'],
    unordered: true,
  },
  'group_vars and host_vars': {
    sources: ['group-vars/hosts.yml'],
    hosts: ['web1', 'web2', 'web3', 'db1'],
    graphs: ['all', 'web'],
    patterns: ['all', 'web', 'cache:&backend', 'nosuch'],
  },
  'group_vars of two sources and a host list': {
    sources: ['two-sources/a/hosts.yml', 'two-sources/b', 'x9,'],
    hosts: ['h1', 'h2', 'h3', 'x9'],
    graphs: ['all', 'parent'],
    patterns: ['all', 'ungrouped', 'child'],
  },

  // Inventories of well-known projects, as they publish them (real/README.md: source, commit, licence, what each exercises).
  'kubespray sample': {
    sources: ['real/kubespray/sample/inventory.ini'],
    hosts: [],
    graphs: ['all'],
    patterns: ['all', 'etcd', 'kube-node', 'k8s-cluster'],
  },
  'kubespray sample, hosts uncommented': {
    sources: ['real/kubespray/uncommented/inventory.ini'],
    hosts: ['node1', 'node4'],
    graphs: ['all', 'etcd'],
    patterns: ['all', 'etcd', 'kube-controlplane:kube-node', 'etcd:&kube-node', 'all:!etcd', 'kube-node[1:]', 'node*', '~node[1-3]'],
  },
  'kubespray terraform-openstack': {
    sources: ['real/kubespray/terraform-openstack/hosts.ini'],
    hosts: ['example-bastion-1', 'example-k8s-master-nf-1', 'example-k8s-node-nf-1'],
    graphs: ['all'],
    patterns: ['all', 'no_floating', 'k8s_cluster:!no_floating', 'all:!no_floating', 'no_floating:&kube_node', 'bastion:kube_node'],
  },
  'kolla-ansible multinode': {
    sources: ['real/kolla-ansible/multinode'],
    hosts: ['control01', 'localhost'],
    graphs: ['all'],
    patterns: ['all', 'baremetal', 'common:!compute', 'nova:&control', 'openvswitch', 'deployment', 'manila-share', 'control[1:]'],
    // Every host group hangs two levels under all.
    unordered: ['all'],
  },
  'kolla-ansible all-in-one': {
    sources: ['real/kolla-ansible/all-in-one'],
    hosts: ['localhost'],
    graphs: ['all'],
    patterns: ['all', 'control:network', 'baremetal', 'localhost'],
  },
  trellis: {
    sources: ['real/trellis/hosts'],
    hosts: ['192.168.56.5', 'your_server_hostname'],
    graphs: ['all'],
    patterns: ['all', 'web', 'web:!development', 'production:staging', '192.168.*'],
  },
  'trellis CI': {
    sources: ['real/trellis/.github/files/inventory'],
    hosts: ['localhost'],
    graphs: ['all'],
    patterns: ['all', 'web:&production'],
  },
  'ceph-ansible all_daemons': {
    sources: ['real/ceph-ansible/all_daemons/hosts'],
    hosts: ['osd0', 'osd1', 'mon0', 'client0', 'rgw0'],
    graphs: ['all'],
    patterns: ['all', 'mons', 'osds[1:]', 'mons:&ceph_monitoring', 'all:!mons', 'rbd-*', '~(mon|mgr)\\d', 'nfss'],
  },
  'ceph-ansible all_daemons, switch to containers': {
    sources: ['real/ceph-ansible/all_daemons/hosts-switch-to-containers'],
    hosts: ['ceph-mon0', 'ceph-osd0'],
    graphs: ['all'],
    patterns: ['all', 'osds:clients', 'ceph-*', 'monitoring'],
  },
  deepops: {
    sources: ['real/deepops/config/inventory'],
    hosts: ['virtual-gpu01', 'virtual-login'],
    graphs: ['all', 'slurm-cluster'],
    patterns: ['all', 'k8s-cluster', 'slurm-cluster', 'slurm-cluster:&k8s-cluster', 'k8s-cluster:!etcd', 'virtual-*', 'nfs-clients'],
  },
  'k3s-ansible': {
    sources: ['real/k3s-ansible/inventory.yml'],
    hosts: ['192.16.35.11', '192.16.35.12'],
    graphs: ['all'],
    patterns: ['all', 'server', 'k3s_cluster:!server', '192.16.35.*', 'agent[0]'],
  },
  'k3s-ansible, INI (2023)': {
    sources: ['real/k3s-ansible/ini/hosts.ini'],
    hosts: ['192.168.122.156', '192.168.122.174'],
    graphs: ['all'],
    patterns: ['all', 'master', 'k3s_cluster:!master', 'multiserver[-1]', 'node'],
  },
  kayobe: {
    sources: ['real/kayobe/ansible/inventory', 'real/kayobe/etc/kayobe/inventory'],
    hosts: ['controller0', 'compute200', 'localhost'],
    graphs: ['network-1'],
    patterns: ['controllers', 'compute[0:2]', 'overcloud:&network-1', 'storage-network-0:!storage[0:60]', 'compute[254:]', 'localhost', 'seed'],
  },
  'openshift-ansible 3.11': {
    sources: ['real/openshift-ansible/3.11/hosts.example'],
    hosts: ['ose3-master1.test.example.com', 'ose3-lb.test.example.com'],
    graphs: ['all'],
    patterns: ['all', 'OSEv3', 'masters:&etcd', 'nodes:!masters', 'ose3-node*', 'nodes[-1]', '~ose3-(infra|lb)'],
  },
  'openshift-ansible 3.11, localhost': {
    sources: ['real/openshift-ansible/3.11/hosts.localhost'],
    hosts: ['localhost'],
    graphs: ['all'],
    patterns: ['all', 'nodes'],
  },
  'openshift-ansible 4.x': {
    sources: ['real/openshift-ansible/4.x/hosts.example'],
    hosts: ['lab-worker-1.example.com'],
    graphs: ['all'],
    patterns: ['all', 'workers', 'new_workers[0:1]', 'lab-worker-?.example.com'],
  },
  kubeasz: {
    sources: ['real/kubeasz/hosts.multi-node'],
    hosts: ['192.168.122.100', '192.168.122.188'],
    graphs: ['all'],
    patterns: ['all', 'etcd', 'kube-master:&etcd', 'kube-node', 'all:!kube-master', 'harbor', 'ex-lb'],
  },
  'kubeasz all-in-one': {
    sources: ['real/kubeasz/hosts.allinone'],
    hosts: ['192.168.1.1'],
    graphs: ['all'],
    patterns: ['all', 'kube_node'],
  },
  'matrix-docker-ansible-deploy': {
    sources: ['real/matrix-docker-ansible-deploy/inventory/hosts'],
    hosts: ['chat.example.org', 'jvb-2.example.org'],
    graphs: ['all'],
    patterns: ['all', 'chat_servers', '*.example.org', 'chat_jvb_servers'],
  },
  debops: {
    sources: ['real/debops/ansible/inventory/hosts'],
    hosts: ['dbhost', 'apphost', 'workstation'],
    graphs: ['all'],
    patterns: ['all', 'containers', 'containers:!svc_apt_cache', 'controller', 'svc_*', 'ungrouped'],
  },
  'pi-cluster': {
    sources: ['real/pi-cluster/example.hosts.ini'],
    hosts: ['node1.local', 'node3.local'],
    graphs: ['all'],
    patterns: ['all', 'cluster', 'cluster:&storage', 'nodes:!storage', 'node?.local', 'storage:control_plane'],
  },
  'ansible-for-devops orchestration': {
    sources: ['real/ansible-for-devops/orchestration/hosts.ini'],
    hosts: ['192.168.60.4', '192.168.60.6'],
    graphs: ['all'],
    patterns: ['all', 'multi', 'multi:!db', '192.168.60.*'],
  },
  'ansible-for-devops lamp': {
    sources: ['real/ansible-for-devops/lamp-infrastructure/inventories/vagrant/inventory'],
    hosts: ['192.168.2.5'],
    graphs: ['all'],
    patterns: ['all', 'lamp-db', 'lamp-www:lamp-db', 'lamp-*', '192.168.2.[3:4]'],
  },
  'ansible-for-devops elk': {
    sources: ['real/ansible-for-devops/elk/provisioning/elk/inventory', 'real/ansible-for-devops/elk/provisioning/web/inventory'],
    hosts: ['logs.test', 'webs.test'],
    graphs: ['all'],
    patterns: ['all', 'logs', '*.test'],
  },
  'ansible-for-devops kubernetes': {
    sources: ['real/ansible-for-devops/kubernetes/inventory'],
    hosts: ['master', 'node2'],
    graphs: ['all'],
    patterns: ['all', 'k8s', 'k8s:!k8s-master', 'k8s-nodes[0]'],
  },
  'slurm appliance': {
    sources: ['real/slurm-appliance/environments/common/inventory', 'real/slurm-appliance/environments/site/inventory'],
    hosts: ['hpc-control', 'hpc-login-0', 'hpc-compute-0'],
    graphs: ['all'],
    patterns: ['all', 'control', 'login', 'compute', 'cluster', 'compute:!hpc_extra', 'openondemand', 'hpc_*', 'extra'],
    // cluster > openhpc > login, control, compute > hpc_head, hpc_standard: all and cluster reach hosts two levels down.
    unordered: ['all', 'cluster'],
  },
  'awx installer': {
    sources: ['real/awx/installer/inventory'],
    hosts: ['localhost'],
    graphs: ['all'],
    patterns: ['all', 'localhost', 'ungrouped'],
  },
  'FATE role test': {
    sources: ['real/fate/roles/mysql/tests/hosts'],
    hosts: ['localhost'],
    graphs: ['all'],
    patterns: ['all', 'primary', 'primary:&secondary'],
  },
  'FATE deploy': {
    sources: ['real/fate/deploy/files/hosts'],
    hosts: [],
    graphs: ['all'],
    patterns: ['all', 'fate'],
  },
  'ansible workshops security lab': {
    sources: ['real/ansible-workshops/security-lab/hosts'],
    hosts: ['qradar', 'windows-ws', 'attacker'],
    graphs: ['all'],
    patterns: ['all', 'siem:firewall', 'all:!windows', '*-ws'],
  },
  'ansible workshops network demo': {
    sources: ['real/ansible-workshops/demos/networking/presentor_demos/debug_demo.inv'],
    hosts: ['access1.nw.com', '10.1.1.2'],
    graphs: ['all', 'east-coast'],
    patterns: ['all', 'east-coast', 'DC:!core', 'atl', '*.nw.com', '10.*'],
  },
  bifrost: {
    sources: ['real/bifrost/playbooks/inventory/target', 'real/bifrost/playbooks/inventory/localhost'],
    hosts: ['127.0.0.1'],
    graphs: ['all'],
    patterns: ['all', 'target', 'localhost', 'target:&localhost'],
  },
};

/** Where sshpool and Ansible 2.14 part ways on purpose (README, "Compared with Ansible"), on patterns.yml. */
const PATTERN_DIFFERENCES: Array<{ pattern: string; ansible: string[]; sshpool: string[] | 'error' }> = [
  // Ansible's subscript needs a start, so it takes web[:2] for a glob; its documentation shows web[:2] as sshpool reads it.
  { pattern: 'web[:2]', ansible: [], sshpool: ['web01', 'web02', 'web03'] },
  // An end of 0 is false in Python, so Ansible reads [1:0] as [1].
  { pattern: 'web[1:0]', ansible: ['web02'], sshpool: 'error' },
  // Ansible warns that [x-y] "has been removed" and still takes it.
  { pattern: 'web[1-2]', ansible: ['web02', 'web03'], sshpool: 'error' },
  // Ansible's implicit localhost runs on the control machine without SSH; sshpool only has inventory hosts.
  { pattern: 'localhost', ansible: ['localhost'], sshpool: 'error' },
];

/**
 * Vars as a task on the host sees them, `ansible HOSTS -m debug -a var=NAME`: templated in the host's scope and,
 * for connection vars, with the play context's aliases and defaults (ansible_host falls back to ansible_ssh_host,
 * then to the host's name; ansible_user to ansible_ssh_user; ansible_port to ansible_ssh_port; ansible_connection
 * to ssh; ansible_password is not filled from ansible_ssh_pass). Ansible prints "VARIABLE IS NOT DEFINED!" for an
 * unset var and for a template that uses an undefined one (facts such as ansible_env are undefined here), and fails
 * the host when a template cannot be evaluated (a filter it does not have); a host whose ansible_host cannot be
 * templated fails every task, whichever var is asked for.
 */
const RESOLVED_VARIABLES: ReadonlyArray<{ fixture: string; hosts: readonly string[]; variable: string }> = [
  { fixture: 'kubespray terraform-openstack', hosts: ['example-k8s-master-nf-1', 'example-k8s-node-nf-1'], variable: 'ansible_ssh_common_args' }, // {% if ansible_ssh_private_key_file is defined %}
  { fixture: 'kubespray terraform-openstack', hosts: ['example-bastion-1', 'example-k8s-node-nf-1'], variable: 'ansible_user' },
  { fixture: 'kayobe', hosts: ['controller0', 'compute200', 'localhost'], variable: 'ansible_user' }, // compute200's ansible_host needs kayobe's net_ip filter
  { fixture: 'kayobe', hosts: ['controller0', 'compute200', 'localhost'], variable: 'ansible_host' },
  { fixture: 'kayobe', hosts: ['controller0', 'localhost'], variable: 'ansible_python_interpreter' }, // a template of a template
  { fixture: 'k3s-ansible', hosts: ['192.16.35.11', '192.16.35.12'], variable: 'api_endpoint' }, // hostvars, groups, default
  { fixture: 'k3s-ansible', hosts: ['192.16.35.12'], variable: 'ansible_port' },
  { fixture: 'k3s-ansible, INI (2023)', hosts: ['192.168.122.156', '192.168.122.174'], variable: 'apiserver_endpoint' },
  { fixture: 'k3s-ansible, INI (2023)', hosts: ['192.168.122.174'], variable: 'ansible_user' },
  { fixture: 'slurm appliance', hosts: ['hpc-control', 'hpc-compute-0'], variable: 'sshd_conf_maxstartups' }, // group_names
  { fixture: 'slurm appliance', hosts: ['hpc-login-0'], variable: 'appliances_local_users_ansible_user_name' },
  { fixture: 'slurm appliance', hosts: ['hpc-compute-0'], variable: 'ansible_host' },
  { fixture: 'FATE role test', hosts: ['localhost'], variable: 'ansible_user' }, // from ansible_ssh_user
  { fixture: 'FATE role test', hosts: ['localhost'], variable: 'ansible_port' }, // from ansible_ssh_port
  { fixture: 'FATE role test', hosts: ['localhost'], variable: 'ansible_become_user' },
  { fixture: 'FATE role test', hosts: ['localhost'], variable: 'ansible_become_method' },
  { fixture: 'ansible workshops security lab', hosts: ['attacker', 'windows-ws'], variable: 'ansible_user' },
  { fixture: 'ansible workshops security lab', hosts: ['attacker', 'windows-ws'], variable: 'ansible_port' },
  { fixture: 'ansible workshops security lab', hosts: ['attacker', 'windows-ws'], variable: 'ansible_connection' }, // ssh by default, winrm
  { fixture: 'deepops', hosts: ['virtual-gpu01'], variable: 'ansible_host' },
  { fixture: 'matrix-docker-ansible-deploy', hosts: ['chat.example.org', 'jvb-2.example.org'], variable: 'ansible_become' }, // the string "true": not a Python literal
  { fixture: 'matrix-docker-ansible-deploy', hosts: ['chat.example.org'], variable: 'ansible_user' },
  { fixture: 'matrix-docker-ansible-deploy', hosts: ['chat.example.org'], variable: 'chat_server_fqn' },
  { fixture: 'pi-cluster', hosts: ['node1.local'], variable: 'ansible_user' },
  { fixture: 'pi-cluster', hosts: ['node1.local'], variable: 'ansible_host' }, // the host's name by default
  { fixture: 'ansible-for-devops elk', hosts: ['logs.test', 'webs.test'], variable: 'ansible_host' }, // from ansible_ssh_host
  { fixture: 'awx installer', hosts: ['localhost'], variable: 'ansible_python_interpreter' },
  { fixture: 'kubeasz all-in-one', hosts: ['192.168.1.1'], variable: 'cluster_dir' },
  { fixture: 'ceph-ansible all_daemons', hosts: ['client0'], variable: 'pools' }, // ["{{ test }}", ...]: the dicts they name
  { fixture: 'ceph-ansible all_daemons', hosts: ['rgw0'], variable: 'radosgw_interface' }, // ansible_facts: undefined without gathering
  { fixture: 'debops', hosts: ['dbhost'], variable: 'postgresql_default_cluster' }, // a template deep in a list, of an undefined var
  { fixture: 'debops', hosts: ['workstation'], variable: 'ansible_connection' },
  { fixture: 'bifrost', hosts: ['127.0.0.1'], variable: 'create_image_via_dib' }, // not (x | default(undefined) | default(false) | bool): a bool
  { fixture: 'openshift-ansible 3.11', hosts: ['ose3-lb.test.example.com'], variable: 'ansible_user' },
];

/** Sources Ansible refuses: sshpool must refuse them too, at the line Ansible names. */
const REJECTED: ReadonlyArray<{ name: string; source: string }> = [
  { name: "matrix-docker-ansible-deploy's hosts as shipped: an apostrophe in a placeholder opens a quote", source: 'real/matrix-docker-ansible-deploy/example/hosts' },
  { name: "kubespray's inventory/local/hosts.ini: [k8s-cluster:children] names calico-rr, which it never declares", source: 'real/kubespray/local/hosts.ini' },
];

/** What Ansible printed, by the command line that printed it. */
const ansibleOutputs = new Map<string, Output>();

function inventoryArgs(sources: readonly string[]): string[] {
  return sources.flatMap((source) => ['-i', source]);
}

function debugArgs(sources: readonly string[], hosts: readonly string[], variable: string): string[] {
  return [...inventoryArgs(sources), hosts.join(','), '-m', 'debug', '-a', `var=${variable}`];
}

function ansibleKey(command: string, args: readonly string[]): string {
  return JSON.stringify([command, ...args]);
}

function ansibleOutput(command: string, args: readonly string[]): Output {
  const output = ansibleOutputs.get(ansibleKey(command, args));
  if (!output) throw new Error(`${command} ${args.join(' ')} was not run in before()`);
  return output;
}

/** Every Ansible command line the tests compare with: run up front, two at a time. */
function ansibleCommands(): Array<[AnsibleCommand, string[]]> {
  const commands: Array<[AnsibleCommand, string[]]> = [];
  for (const fixture of Object.values(CASES)) {
    const i = inventoryArgs(fixture.sources);
    commands.push(['ansible-inventory', [...i, '--list']]);
    for (const group of fixture.graphs) {
      commands.push(['ansible-inventory', [...i, '--graph', group]], ['ansible-inventory', [...i, '--graph', group, '--vars']]);
    }
    for (const host of fixture.hosts) commands.push(['ansible-inventory', [...i, '--host', host]]);
    for (const pattern of fixture.patterns) commands.push(['ansible', [...i, pattern, '--list-hosts']]);
  }
  const names = inventoryArgs(['same-name.yml']);
  commands.push(['ansible-inventory', [...names, '--list']], ['ansible', [...names, 'ungrouped', '--list-hosts']]);
  for (const { pattern } of PATTERN_DIFFERENCES) commands.push(['ansible', [...inventoryArgs(['patterns.yml']), pattern, '--list-hosts']]);
  for (const { fixture, hosts, variable } of RESOLVED_VARIABLES) {
    const { sources } = CASES[fixture]!;
    commands.push(['ansible', debugArgs(sources, hosts, variable)]);
    for (const host of hosts) commands.push(['ansible-inventory', [...inventoryArgs(sources), '--host', host]]);
  }
  for (const { source } of REJECTED) commands.push(['ansible-inventory', ['-i', source, '--list']]);
  return commands;
}

/** `ansible-inventory --version`, which also says which Python ansible runs on. */
function ansibleVersion(env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve) => {
    const child = execFile('ansible-inventory', ['--version'], { env, timeout: 30_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** sshpool's own CLI in this process (the real binary's start-up is tested in cli.test.ts). */
async function sshpool(args: string[]): Promise<Output> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  const code = await runCli(['inventory', ...args], { stdout, stderr });
  return { code, stdout: chunks.out, stderr: chunks.err };
}

/** The -i options for sshpool's CLI, which reads relative sources from the process's cwd (Ansible ran in FIXTURES). */
function ourInventoryArgs(sources: readonly string[]): string[] {
  return inventoryArgs(sources.map((source) => (source.includes(',') ? source : join(FIXTURES, source))));
}

/** `ansible PATTERN --list-hosts`: the hosts in Ansible's order, and whether some part of the pattern matched nothing. */
function listedHosts(output: Output): { hosts: string[]; partMatchedNothing: boolean } {
  const lines = output.stdout.split('\n');
  const header = lines.findIndex((line) => /^ {2}hosts \(\d+\):$/.test(line));
  expect(header, `no "hosts (N):" line in ${JSON.stringify(output)}`).to.be.at.least(0);
  const hosts = lines.slice(header + 1).map((line) => line.trim()).filter((line) => line !== '');
  return { hosts, partMatchedNothing: output.stderr.includes('Could not match supplied host pattern') };
}

type Resolved = { kind: 'value'; value: unknown } | { kind: 'not defined' } | { kind: 'failed'; message: string };

/** What `ansible HOSTS -m debug -a var=NAME` printed for each host (the minimal callback: `host | SUCCESS => {json}`). */
function debugResults(output: Output, variable: string): Map<string, Resolved> {
  const results = new Map<string, Resolved>();
  const lines = output.stdout.split('\n');
  lines.forEach((line, index) => {
    const head = /^(\S+) \| (SUCCESS|FAILED!) => \{$/.exec(line);
    if (!head) return;
    const body = JSON.parse(`{${lines.slice(index + 1, lines.indexOf('}', index) + 1).join('\n')}`) as Record<string, unknown>;
    if (head[2] === 'FAILED!') results.set(head[1]!, { kind: 'failed', message: String(body.msg) });
    else if (body[variable] === 'VARIABLE IS NOT DEFINED!') results.set(head[1]!, { kind: 'not defined' });
    else results.set(head[1]!, { kind: 'value', value: body[variable] });
  });
  return results;
}

/**
 * What sshpool resolves `name` to for `host`: what a task on the host would see (a var templated in the
 * host's scope; for the connection vars, the setting sshpool connects with, as Ansible's debug shows
 * `ansible_user` from `ansible_ssh_user` and the inventory name as `ansible_host` when none is set),
 * throwing an InputError where Ansible fails the host.
 */
function resolvedVariable(inventory: Inventory, host: string, name: string): unknown {
  const record = inventory.host(host)!;
  const lookup = new TemplatedVariables().of(record).get;
  // The connection vars as sshpool reads them, whatever the connection type (debug shows them for a winrm host too).
  const connection = () => connectionSettings(record, (variable) => (variable === 'ansible_connection' ? undefined : lookup(variable)));
  switch (name) {
    case 'ansible_connection':
      // What Ansible's debug shows when none is set: its default, ssh.
      return lookup(name) ?? 'ssh';
    case 'ansible_host':
      return connection().hostname ?? host;
    case 'ansible_user':
      return connection().user ?? lookup(name);
    case 'ansible_port':
      return connection().port ?? lookup(name);
    default:
      return lookup(name);
  }
}

function selectOrError(inventory: Inventory, pattern: string): string[] | 'error' {
  try {
    return inventory.select(pattern).map((host) => host.name);
  } catch (error) {
    expect(error, pattern).to.be.instanceOf(InputError);
    return 'error';
  }
}

describe('sshpool inventory against the real Ansible (ansible-core)', function () {
  // ~540 Ansible commands, two at a time, on a 2-core machine other work shares (3 minutes at a load of 17).
  this.timeout(600_000);
  let home: string;
  let ansible: AnsibleCli | undefined;

  before(async function () {
    home = await mkdtemp(join(tmpdir(), 'sshpool-ansible-'));
    // An empty ansible.cfg: no configuration from the machine, HOME or the working directory.
    await writeFile(join(home, 'ansible.cfg'), '');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      ANSIBLE_CONFIG: join(home, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
      // A fixture Ansible cannot read must fail the test, not become an empty inventory.
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
      ANSIBLE_HOST_PATTERN_MISMATCH: 'warning',
      // `ansible -m debug` runs on the control machine and connects nowhere; nothing may ask about host keys either.
      ANSIBLE_HOST_KEY_CHECKING: 'False',
    };
    const version = await ansibleVersion(env);
    if (version.code !== 0) {
      process.stderr.write('      ansible-inventory is not installed (apt-get install ansible-core): skipping the comparison with Ansible\n');
      this.skip();
    }
    // "  python version = 3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0] (/usr/bin/python3)"
    const python = /^ {2}python version = .* \((\/[^)]+)\)$/m.exec(version.stdout)?.[1];
    if (!python) throw new Error(`no Python interpreter in ${JSON.stringify(version.stdout)}`);
    const cli = AnsibleCli.start({ python, cwd: FIXTURES, env, processes: 2 });
    ansible = cli;
    const commands = new Map(ansibleCommands().map(([command, args]) => [ansibleKey(command, args), [command, args] as const]));
    await Promise.all(
      [...commands.entries()].map(async ([key, [command, args]]) => ansibleOutputs.set(key, await cli.run(command, args))),
    );
  });

  after(async () => {
    await ansible?.close();
    await rm(home, { recursive: true, force: true });
  });

  for (const [name, fixture] of Object.entries(CASES)) {
    describe(`${name} (-i ${fixture.sources.join(' -i ')})`, () => {
      const i = inventoryArgs(fixture.sources);
      const ourI = ourInventoryArgs(fixture.sources);

      it('--list prints the same JSON', async () => {
        const ansible = ansibleOutput('ansible-inventory', [...i, '--list']);
        expect(ansible.code, ansible.stderr).to.equal(0);
        const ours = await sshpool([...ourI, '--list']);
        expect(ours.code, ours.stderr).to.equal(0);
        expect(JSON.parse(ours.stdout)).to.deep.equal(JSON.parse(ansible.stdout));
      });

      it('--graph prints the same tree, with and without --vars', async () => {
        for (const group of fixture.graphs) {
          for (const vars of fixture.graphVarsDiffer ? [[]] : [[], ['--vars']]) {
            const ansible = ansibleOutput('ansible-inventory', [...i, '--graph', group, ...vars]);
            expect(ansible.code, ansible.stderr).to.equal(0);
            expect((await sshpool([...ourI, '--graph', group, ...vars])).stdout, `--graph ${group} ${vars.join('')}`).to.equal(ansible.stdout);
          }
        }
      });

      if (fixture.hosts.length > 0) {
        it('--host prints the same merged vars', async () => {
          for (const host of fixture.hosts) {
            const ansible = ansibleOutput('ansible-inventory', [...i, '--host', host]);
            expect(ansible.code, ansible.stderr).to.equal(0);
            const ours = await sshpool([...ourI, '--host', host]);
            expect(JSON.parse(ours.stdout), host).to.deep.equal(JSON.parse(ansible.stdout));
          }
        });
      }

      it(`selects the hosts ansible PATTERN --list-hosts lists${fixture.unordered === true ? ' (as sets)' : ', in its order'}, and fails where a part matches nothing`, async () => {
        const inventory = await loadInventory(fixture.sources, { cwd: FIXTURES });
        for (const pattern of fixture.patterns) {
          const ansible = listedHosts(ansibleOutput('ansible', [...i, pattern, '--list-hosts']));
          const ours = selectOrError(inventory, pattern);
          if (ansible.hosts.length === 0 || ansible.partMatchedNothing) {
            expect(ours, `${pattern}: Ansible lists ${JSON.stringify(ansible.hosts)} and warns`).to.equal('error');
          } else if (fixture.unordered === true || fixture.unordered?.includes(pattern)) {
            expect(ours, pattern).to.be.an('array').with.members(ansible.hosts);
          } else {
            expect(ours, pattern).to.deep.equal(ansible.hosts);
          }
        }
      });
    });
  }

  describe('vars as a task on the host sees them (ansible HOSTS -m debug -a var=NAME)', () => {
    for (const { fixture, hosts, variable } of RESOLVED_VARIABLES) {
      it(`${fixture}: ${variable} on ${hosts.join(', ')}`, async () => {
        const { sources } = CASES[fixture]!;
        const inventory = await loadInventory(sources, { cwd: FIXTURES });
        const results = debugResults(ansibleOutput('ansible', debugArgs(sources, hosts, variable)), variable);
        for (const host of hosts) {
          const ansible = results.get(host);
          if (!ansible) throw new Error(`Ansible printed no result for ${host}`);
          const inAnsibleInventory = variable in JSON.parse(ansibleOutput('ansible-inventory', [...inventoryArgs(sources), '--host', host]).stdout);
          if (ansible.kind === 'failed' || (ansible.kind === 'not defined' && inAnsibleInventory)) {
            const why = ansible.kind === 'failed' ? ansible.message : 'its template uses an undefined var';
            expect(() => resolvedVariable(inventory, host, variable), `${host}: Ansible fails it (${why})`).to.throw(InputError);
          } else {
            expect(resolvedVariable(inventory, host, variable), host).to.deep.equal(ansible.kind === 'value' ? ansible.value : undefined);
          }
        }
      });
    }
  });

  describe('sources Ansible refuses', () => {
    for (const { name, source } of REJECTED) {
      it(`${name}: refused at the line Ansible names`, async () => {
        const ansible = ansibleOutput('ansible-inventory', ['-i', source, '--list']);
        expect(ansible.code, ansible.stdout).to.not.equal(0);
        // Ansible wraps its warnings at 79 columns, inside long paths too, and a wrap takes the place of a space.
        const line = /:(\d+): ?(?:Error parsing|Section)/.exec(ansible.stderr.replace(/\n/g, ''))?.[1];
        expect(line, ansible.stderr).to.match(/^\d+$/);
        const error = await loadInventory([source], { cwd: FIXTURES }).then(
          () => expect.fail(`sshpool read ${source}`),
          (rejection: unknown) => rejection,
        );
        expect(error).to.be.instanceOf(InventoryError);
        expect(error).to.include({ file: source, line: Number(line) });
      });
    }
  });

  describe('differences kept on purpose', () => {
    it('patterns: web[:2], web[1:0], web[1-2], the implicit localhost', async () => {
      const inventory = await loadInventory(['patterns.yml'], { cwd: FIXTURES });
      for (const { pattern, ansible, sshpool: ours } of PATTERN_DIFFERENCES) {
        expect(listedHosts(ansibleOutput('ansible', ['-i', 'patterns.yml', pattern, '--list-hosts'])).hosts, `Ansible: ${pattern}`).to.deep.equal(ansible);
        expect(selectOrError(inventory, pattern), `sshpool: ${pattern}`).to.deep.equal(ours);
      }
    });

    it('an ungrouped host named like a group: Ansible nests the group under ungrouped instead', async () => {
      const ansible = JSON.parse(ansibleOutput('ansible-inventory', ['-i', 'same-name.yml', '--list']).stdout);
      expect(ansible.ungrouped).to.deep.equal({ hosts: ['solo'], children: ['app'] });
      expect(listedHosts(ansibleOutput('ansible', ['-i', 'same-name.yml', 'ungrouped', '--list-hosts'])).hosts).to.deep.equal(['solo', 'app1']);
      const ours = JSON.parse((await sshpool([...ourInventoryArgs(['same-name.yml']), '--list'])).stdout);
      expect(ours.ungrouped).to.deep.equal({ hosts: ['solo', 'app'] });
      expect({ ...ours, ungrouped: undefined }).to.deep.equal({ ...ansible, ungrouped: undefined });
    });
  });
});
