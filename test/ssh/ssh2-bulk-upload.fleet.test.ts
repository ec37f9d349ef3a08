import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { expect } from 'chai';
import ssh2 from 'ssh2';
import type { SFTPWrapper } from 'ssh2';
import { Fleet } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { CLI_MAIN } from '../helpers/cli-process.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;
/** OpenSSH's sftp-server's largest WRITE (limits@openssh.com), the request size sshpool uses. */
const REQUEST_BYTES = 255 * 1024;

/**
 * What the upload costs the client process, counted from inside it: bytes
 * through Buffer.allocUnsafe, randomFillSync calls, and writes handed to the SSH
 * socket (each a system call). Preloaded before the CLI, so before ssh2 loads
 * and takes its own references to them.
 */
const PROBE = `
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const counts = { allocatedBytes: 0, randomFills: 0, socketWrites: 0 };
const port = Number(process.env.PROBE_PORT);
const allocUnsafe = Buffer.allocUnsafe;
Buffer.allocUnsafe = function (size) { counts.allocatedBytes += size; return allocUnsafe.call(this, size); };
const randomFillSync = crypto.randomFillSync;
crypto.randomFillSync = function (...args) { counts.randomFills += 1; return randomFillSync.apply(this, args); };
for (const name of ['_write', '_writev']) {
  const original = net.Socket.prototype[name];
  net.Socket.prototype[name] = function (...args) { if (this.remotePort === port) counts.socketWrites += 1; return original.apply(this, args); };
}
process.on('exit', () => fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(counts)));
`;

interface Counts {
  allocatedBytes: number;
  randomFills: number;
  socketWrites: number;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * patches/ssh2+1.17.0+005+bulk-upload.patch: an SFTP upload's data goes from the
 * read buffer straight into the channel's packets, a request's packets leave in
 * one writev, packet buffers are reused once written, and padding comes from a
 * random pool rather than a randomFillSync call per packet.
 */
describe("ssh2's bulk upload path (its patch), against a real sshd", function () {
  this.timeout(120_000);
  let fleet: Fleet;
  const local = tempDirPerTest('sshpool-bulk-upload-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 1, fileDirs: true });
  });
  after(async () => {
    await fleet?.stop();
  });

  const host = (): FleetHost => fleet.hosts[0]!;

  /** A plain ssh2 client on the host (its key checked against the fleet's), over `sock` if given. */
  async function connected(sock?: Duplex): Promise<ssh2.Client> {
    const client = new ssh2.Client();
    const expectedKey = host().hostKeyPublic.split(' ')[1];
    const privateKey = await readFile(fleet.userKeyPath);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      const hostVerifier = (key: Buffer): boolean => key.toString('base64') === expectedKey;
      client.connect({ ...(sock ? { sock } : { host: host().address, port: host().port }), username: fleet.user, privateKey, hostVerifier });
    });
    return client;
  }

  const sftpOf = (client: ssh2.Client): Promise<SFTPWrapper> => new Promise((resolve, reject) => client.sftp((error, channel) => (error ? reject(error) : resolve(channel))));

  const put = (sftp: SFTPWrapper, file: string, remote: string, concurrency: number): Promise<void> =>
    new Promise((resolve, reject) => sftp.fastPut(file, remote, { concurrency, chunkSize: REQUEST_BYTES }, (error) => (error ? reject(error) : resolve())));

  /** One `sshpool copy` of `bytes` random bytes, with the probe's counts. */
  async function probedCopy(bytes: number, name: string): Promise<Counts> {
    const file = path.join(local(), name);
    const data = randomBytes(bytes);
    await writeFile(file, data);
    const probe = path.join(local(), 'probe.cjs');
    await writeFile(probe, PROBE);
    const out = path.join(local(), `${name}.counts.json`);
    const args = ['--require', probe, CLI_MAIN, 'copy', '-i', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-F', '/dev/null', '--no-agent', file, name];
    const env = { ...process.env, SSH_AUTH_SOCK: '', PROBE_PORT: String(host().port), PROBE_OUT: out };
    await run(process.execPath, args, { env, timeout: 60_000 });
    expect(sha256(await readFile(path.join(host().filesDir!, name)))).to.equal(sha256(data));
    return JSON.parse(await readFile(out, 'utf8')) as Counts;
  }

  it('sends 32 MiB with one socket write per request, allocating and drawing random bytes for almost none of it', async () => {
    const small = await probedCopy(1, 'one-byte.bin');
    const large = await probedCopy(32 * MIB, 'large.bin');
    const requests = Math.ceil((32 * MIB) / REQUEST_BYTES);
    const packets = (32 * MIB) / (32 * 1024);
    const writes = large.socketWrites - small.socketWrites;
    // At most one per request, a few more after the server's window adjustments; unpatched, one per 32 KiB
    // packet. Fewer where requests made in one pass of the event loop share a write (patch 011): how many
    // do depends on how the file's reads complete, from 43 to over 64 of these 129 requests' writes seen.
    expect(writes).to.be.at.least(1).and.below(requests * 1.5);
    expect(writes).to.be.below(packets / 4);
    // Unpatched, every byte was allocated twice (the request, then each packet): 64 MiB.
    expect(large.allocatedBytes - small.allocatedBytes).to.be.below(8 * MIB);
    // Unpatched, one call per packet (over 1,024).
    expect(large.randomFills - small.randomFills).to.be.below(packets / 16);
  });

  it("keeps the data whole when the requests in flight exceed the channel's window (the rest waits, copied, for WINDOW_ADJUST)", async () => {
    const data = randomBytes(16 * MIB + 12_345);
    const file = path.join(local(), 'window.bin');
    await writeFile(file, data);
    const client = await connected();
    try {
      const sftp = await sftpOf(client);
      let waited = false;
      const write = sftp.write.bind(sftp);
      sftp.write = ((...args: Parameters<SFTPWrapper['write']>) => {
        write(...args);
        // ssh2's queue of what the window could not take yet.
        waited ||= (sftp as unknown as { _buffer: unknown[] })._buffer.length > 0;
      }) as SFTPWrapper['write'];
      // 16 requests of 255 KiB: 4 MiB in flight against sshd's 2 MiB window.
      await put(sftp, file, 'window.bin', 16);
      sftp.end();
      expect(waited, 'no request ever waited for the window').to.equal(true);
    } finally {
      client.end();
    }
    expect(sha256(await readFile(path.join(host().filesDir!, 'window.bin')))).to.equal(sha256(data));
  });

  it('reuses no packet buffer over a transport other than a net.Socket, which may hold a chunk after its write callback', async () => {
    const data = randomBytes(8 * MIB + 777);
    const file = path.join(local(), 'relay.bin');
    await writeFile(file, data);
    // A relay that acknowledges each chunk at once and passes the chunks on
    // every 10 ms, as a batching proxy might: a packet buffer reused after the
    // acknowledgement would be overwritten before it is sent, and sshd would
    // see a bad MAC.
    const socket = createConnection({ host: host().address, port: host().port });
    await once(socket, 'connect');
    let held: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const relay = new Duplex({
      write(chunk: Buffer, _encoding, done) {
        held.push(chunk);
        timer ??= setTimeout(() => {
          timer = undefined;
          for (const piece of held) socket.write(piece);
          held = [];
        }, 10);
        done();
      },
      read() {},
      destroy(error, done) {
        clearTimeout(timer);
        socket.destroy();
        done(error);
      },
    });
    socket.on('data', (chunk: Buffer) => relay.push(chunk)).on('end', () => relay.push(null));
    const client = await connected(relay);
    try {
      const sftp = await sftpOf(client);
      await put(sftp, file, 'relay.bin', 8);
      sftp.end();
    } finally {
      client.end();
      relay.destroy();
    }
    expect(sha256(await readFile(path.join(host().filesDir!, 'relay.bin')))).to.equal(sha256(data));
  });
});
