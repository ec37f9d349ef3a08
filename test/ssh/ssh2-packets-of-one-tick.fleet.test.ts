import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import ssh2 from 'ssh2';
import type { FleetHost } from '../fleet/index.js';
import { fleetPerSuite } from '../helpers/fleet-per-suite.js';

/**
 * Two ssh2 patches that take work off every connection, against a real sshd:
 * - patches/ssh2+1.17.0+011+packets-of-one-tick-in-one-write.patch: the packets ssh2 makes in one pass
 *   of the event loop (its I/O callbacks, ticks and promises) reach the socket as one write (a writev)
 *   instead of one write each; observed on the socket ssh2 is given (what each of its writes to the
 *   kernel carried);
 * - patches/ssh2+1.17.0+012+channel-destroy-without-dropped-error.patch: a channel is destroyed as its
 *   command ends, and destroy() no longer calls end() on it again (which only built an error nobody got).
 */
describe('ssh2: the packets of one turn of the event loop written at once; no error built for an ended channel (real sshd)', function () {
  this.timeout(60_000);
  const fleet = fleetPerSuite({ hosts: 1 });
  const host = (): FleetHost => fleet().hosts[0]!;

  type Event = { sent: string } | { write: number[] };

  /** Records each of the socket's writes to the kernel (the byte lengths of the chunks it carried) in `log`. */
  function recordWrites(sock: Socket, log: Event[]): void {
    const internals = sock as unknown as {
      _write(chunk: Buffer, encoding: string, callback: () => void): void;
      _writev(chunks: { chunk: Buffer }[], callback: () => void): void;
    };
    const write = internals._write.bind(sock);
    const writev = internals._writev.bind(sock);
    internals._write = (chunk, encoding, callback) => {
      log.push({ write: [chunk.length] });
      write(chunk, encoding, callback);
    };
    internals._writev = (chunks, callback) => {
      log.push({ write: chunks.map(({ chunk }) => chunk.length) });
      writev(chunks, callback);
    };
  }

  /** An ssh2 client logged in to the fleet's host with `config` added (a socket of the test's, a debug log). */
  async function loggedIn(config: Partial<ssh2.ConnectConfig>): Promise<ssh2.Client> {
    const client = new ssh2.Client();
    const privateKey = await readFile(fleet().userKeyPath);
    const expectedKey = host().hostKeyPublic.split(' ')[1];
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({ host: host().address, port: host().port, username: fleet().user, privateKey, hostVerifier: (key: Buffer) => key.toString('base64') === expectedKey, ...config } as ssh2.ConnectConfig);
    });
    return client;
  }

  /** Runs `command` and resolves with its output once its channel closes; `onChannel` sees the channel first. */
  function exec(client: ssh2.Client, command: string, onChannel: (channel: ssh2.ClientChannel) => void = () => {}): Promise<string> {
    return new Promise<string>((resolve, reject) =>
      client.exec(command, (error, channel) => {
        if (error) return reject(error);
        let text = '';
        channel.on('data', (chunk: Buffer) => (text += chunk.toString())).on('close', () => resolve(text));
        onChannel(channel);
      }),
    );
  }

  it('sends NEWKEYS with the service request, and the channel\'s close with the disconnect made a promise later, in one write each', async () => {
    const sock = tcpConnect({ host: host().address, port: host().port });
    // ssh2's debug line for each packet comes as it makes the packet, before the packet is written.
    const log: Event[] = [];
    recordWrites(sock, log);
    const client = await loggedIn({
      sock,
      debug: (line: string) => {
        const sent = /Outbound: Sending (\w+)/.exec(line);
        if (sent) log.push({ sent: sent[1]! });
      },
    });
    try {
      expect(await exec(client, 'echo one write')).to.equal('one write\n');
    } finally {
      // In the same pass of the event loop as ssh2's answer to the server's CHANNEL_CLOSE (a promise later).
      client.end();
    }
    // The writes of this pass are made once it is over.
    await new Promise((resolve) => setImmediate(resolve));
    /** The packets sent from the first `packet` on, and the write that carried them. */
    const writtenWith = (packet: string): { sent: Event[]; write: Event | undefined } => {
      const from = log.findIndex((event) => 'sent' in event && event.sent === packet);
      expect(from, packet).to.be.at.least(0);
      const next = log.slice(from);
      const write = next.findIndex((event) => 'write' in event);
      return { sent: next.slice(0, write), write: next[write] };
    };
    const newKeys = writtenWith('NEWKEYS');
    expect(newKeys.sent).to.deep.include({ sent: 'SERVICE_REQUEST' });
    expect(newKeys.write).to.have.property('write').with.length(2);
    const close = writtenWith('CHANNEL_CLOSE');
    expect(close.sent).to.deep.include({ sent: 'DISCONNECT' });
    expect(close.write).to.have.property('write').with.length(2);
  });

  it('a channel whose command ended is closed without end() called on it again (patch 012: no error built and dropped)', async () => {
    const client = await loggedIn({});
    try {
      let endsAfterEnded = 0;
      const output = await exec(client, 'echo ended', (channel) => {
        const end = channel.end.bind(channel);
        channel.end = ((...args: Parameters<typeof channel.end>) => {
          if (channel.writableEnded) endsAfterEnded++;
          return end(...args);
        }) as typeof channel.end;
        // No input, as sshpool runs a command without stdin: the channel's writing side ends at once.
        channel.end();
      });
      expect(output).to.equal('ended\n');
      // The stream destroys itself on the tick after its end.
      await new Promise((resolve) => setImmediate(resolve));
      expect(endsAfterEnded).to.equal(0);
    } finally {
      client.end();
    }
  });
});
