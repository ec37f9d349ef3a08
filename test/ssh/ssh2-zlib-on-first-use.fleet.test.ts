import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { FleetHost } from '../fleet/index.js';
import { fleetPerSuite } from '../helpers/fleet-per-suite.js';

const run = promisify(execFile);

/**
 * patches/ssh2+1.17.0+014+zlib-on-first-use.patch: ssh2 loads node's zlib (and makes the Inflate
 * stream it takes zlib's handle class from) when a connection first negotiates compression, not as it
 * is loaded. The probe, a process of its own, logs in to a real sshd with the compression it is given,
 * checks the host's key against the one sshd serves, runs a command with ~100 KB of output and says
 * whether zlib was loaded before and after.
 */
const PROBE = `
const { readFileSync } = require('node:fs');
const ssh2 = require('ssh2');
const zlibLoaded = () => process.moduleLoadList.includes('NativeModule zlib');
const target = JSON.parse(process.env.PROBE_TARGET);
const before = zlibLoaded();
const conn = new ssh2.Client();
let negotiated;
conn.on('handshake', (algorithms) => { negotiated = [algorithms.cs.compress, algorithms.sc.compress]; });
conn.on('error', (error) => { process.stderr.write(String(error)); process.exit(1); });
conn.on('ready', () => conn.exec('seq 1 20000', (error, stream) => {
  if (error) throw error;
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('close', (code) => {
    const lines = Buffer.concat(chunks).toString().split('\\n');
    process.stdout.write(JSON.stringify({ before, after: zlibLoaded(), negotiated, code, count: lines.length - 1, last: lines.at(-2) }));
    conn.end();
  });
}));
conn.connect({
  host: target.address, port: target.port, username: target.user, privateKey: readFileSync(target.keyPath),
  algorithms: { compress: [target.compress] },
  hostVerifier: (key) => key.toString('base64') === target.hostKey,
});
`;

describe('ssh2 loads zlib when a connection first negotiates compression (its patch), against a real sshd', function () {
  this.timeout(60_000);
  const fleet = fleetPerSuite({ hosts: 1 });
  const host = (): FleetHost => fleet().hosts[0]!;

  async function probe(compress: string): Promise<Record<string, unknown>> {
    const target = { address: host().address, port: host().port, user: fleet().user, keyPath: fleet().userKeyPath, hostKey: host().hostKeyPublic.split(' ')[1], compress };
    const { stdout } = await run(process.execPath, ['-e', PROBE], { env: { ...process.env, PROBE_TARGET: JSON.stringify(target) } });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('a connection without compression never loads it', async () => {
    expect(await probe('none')).to.deep.equal({ before: false, after: false, negotiated: ['none', 'none'], code: 0, count: 20000, last: '20000' });
  });

  it('a compressed one loads it then, and the output comes through inflated whole', async () => {
    expect(await probe('zlib@openssh.com')).to.deep.equal({ before: false, after: true, negotiated: ['zlib@openssh.com', 'zlib@openssh.com'], code: 0, count: 20000, last: '20000' });
  });
});
