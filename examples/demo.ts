/**
 * `npm run demo`: starts four local sshd servers (the ports config/demo-inventory.yaml
 * names), runs the real CLI against them, and stops them again.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fleet } from '../test/fleet/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The ports config/demo-inventory.yaml names. */
const DEMO_PORTS = [22201, 22202, 22203, 22204];

const fleet = await Fleet.start({ hosts: DEMO_PORTS.length, ports: DEMO_PORTS });
try {
  const args = [
    'run',
    '-i', path.join(root, 'config/demo-inventory.yaml'),
    '-u', fleet.user,
    '--identity', fleet.userKeyPath,
    '--known-hosts', fleet.knownHostsPath,
    '--',
    'echo "hello from $(hostname) as $(id -un), sshd port ${SSH_CONNECTION##* }"; uname -sr',
  ];
  process.stdout.write(`$ sshpool ${args.map(quote).join(' ')}\n`);
  const code = await new Promise<number>((resolve) => {
    // The `sshpool` command as npm installs it.
    spawn(path.join(root, 'bin/sshpool'), args, { stdio: 'inherit' }).on('exit', (status) => resolve(status ?? 1));
  });
  process.stdout.write(`(exit code ${code})\n`);
  process.exitCode = code;
} finally {
  await fleet.stop();
}

function quote(word: string): string {
  return /^[\w./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
