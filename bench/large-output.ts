/**
 * Hosts that print a lot: N hosts (default 600) each print 1 MiB through the
 * real CLI against a real sshd, with the default --max-output, once with
 * `-o json --results`, once with `-b`. Checks that the JSON output, the results
 * file and the gathered output are complete (with Python's json module: over
 * 600 MB is more than one JavaScript string holds), and prints the CLI's wall
 * time and peak RSS (getrusage of the child) for each. Run:
 * npm run bench:large-output [-- HOSTS]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Fleet } from '../test/fleet/index.js';
import { CLI_MAIN } from '../test/helpers/cli-process.js';

const run = promisify(execFile);
const MEGABYTE_COMMAND = 'head -c 1048576 /dev/zero | tr "\\0" x';

/** Runs the CLI with stdout to `outFile`; Python reports the child's peak RSS exactly (RUSAGE_CHILDREN). */
async function measured(args: string[], outFile: string): Promise<{ seconds: number; peakMb: number; code: number }> {
  const wrapper = [
    'import resource, subprocess, sys, time',
    'start = time.monotonic()',
    'with open(sys.argv[1], "wb") as out: code = subprocess.run(sys.argv[2:], stdout=out).returncode',
    'print(code, time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', wrapper, outFile, process.execPath, CLI_MAIN, ...args], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
  const [code, seconds, maxRssKb] = stdout.trim().split(' ').map(Number);
  return { code: code!, seconds: seconds!, peakMb: maxRssKb! / 1024 };
}

async function python(expression: string, file: string): Promise<string> {
  return (await run('python3', ['-c', `import json, sys\nd = json.load(open(sys.argv[1]))\nprint(json.dumps(${expression}))`, file], { maxBuffer: 1024 * 1024 })).stdout.trim();
}

async function main(): Promise<void> {
  const hosts = Number(process.argv[2] ?? 600);
  const fleet = await Fleet.start({ hosts: 1 });
  const dir = await mkdtemp(path.join(tmpdir(), 'sshpool-bench-large-'));
  try {
    const host = fleet.hosts[0]!;
    const vars = `{ ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: ${fleet.user}, ansible_ssh_private_key_file: '${fleet.userKeyPath}' }`;
    const inventory = path.join(dir, 'hosts.yaml');
    await writeFile(inventory, `all:\n  hosts:\n${Array.from({ length: hosts }, (_, i) => `    h${String(i + 1).padStart(4, '0')}: ${vars}`).join('\n')}\n`);
    const base = ['run', '-i', inventory, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', '-q'];
    const complete = "all(r['status'] == 'ok' and len(r['stdout']) == 1048576 and not r['truncated']['stdout'] for r in RECORDS)";

    console.log(`Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown'}, Linux ${release()}, Node ${process.version}`);
    console.log(`${hosts} hosts x 1 MiB of stdout each, fanout 32, default --max-output (1M)\n`);
    console.log('| run | wall | peak RSS | complete |');
    console.log('|---|---|---|---|');

    const json = path.join(dir, 'out.json');
    const results = path.join(dir, 'results.json');
    const jsonRun = await measured([...base, '-o', 'json', '--results', results, '--', MEGABYTE_COMMAND], json);
    const jsonComplete = await python(`[len(d), ${complete.replace('RECORDS', 'd')}]`, json);
    const resultsComplete = await python(`[d['complete'], len(d['results']), ${complete.replace('RECORDS', "d['results']")}]`, results);
    console.log(`| -o json --results | ${jsonRun.seconds.toFixed(1)} s | ${jsonRun.peakMb.toFixed(0)} MB | json ${jsonComplete}, results ${resultsComplete} |`);

    const gathered = path.join(dir, 'out.gathered');
    // Each host's output differs (its session's pid first, within --max-output): one group of about 1 MiB per host.
    const gatheredRun = await measured([...base, '-b', '--', `echo $$; ${MEGABYTE_COMMAND.replace('1048576', '1048000')}`], gathered);
    const groups = (await run('grep', ['-c', '^h[0-9]* (1)$', gathered])).stdout.trim();
    console.log(`| -b | ${gatheredRun.seconds.toFixed(1)} s | ${gatheredRun.peakMb.toFixed(0)} MB | ${groups} groups, ${((await stat(gathered)).size / 2 ** 20).toFixed(0)} MiB |`);
    if ([jsonRun.code, gatheredRun.code].some((code) => code !== 0)) process.exitCode = 1;
  } finally {
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
