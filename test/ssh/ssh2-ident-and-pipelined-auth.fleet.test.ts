import { readFile, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import ssh2 from 'ssh2';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet } from '../fleet/index.js';
import type { FleetHost } from '../fleet/index.js';
import { hostBlock, loginSettings, writeSshConfig } from '../helpers/openssh.js';
import { eventually } from '../helpers/processes.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/**
 * Three ssh2 patches that save a round trip each, against a real sshd (its DEBUG1 log, and ssh2's own
 * debug lines, in the order the client did things):
 * - patches/ssh2+1.17.0+007+ident-sent.patch: `identSent`, the identification line written on the
 *   socket by whoever connected it (sshpool's early connects write it as the connect starts);
 * - patches/ssh2+1.17.0+008+pipeline-auth.patch: `pipelineAuth`, the first authentication request sent
 *   right behind the ssh-userauth service request, before the server's SERVICE_ACCEPT;
 * - patches/ssh2+1.17.0+009+hostkeys-prove-when-listened.patch: the host keys OpenSSH announces after
 *   the login are proven (the server signs with each, the client verifies each) only for a client
 *   with a 'hostkeys' listener; another client answers with an IGNORE.
 */
describe('ssh2 with the identification line written by the connector, and the first login request before SERVICE_ACCEPT (real sshd)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let host: FleetHost;
  const tempDir = tempDirPerTest('sshpool-ident-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 1, sshdOptions: ['LogLevel DEBUG1'] });
    host = fleet.hosts[0]!;
  });
  after(async () => {
    await fleet?.stop();
  });

  /**
   * Logs in with ssh2 and runs `echo`; resolves with ssh2's debug lines of the login, once one matches
   * `until` if given (what the server sends after the login may come after the command's output).
   */
  async function login(config: Record<string, unknown>, { onClient, until }: { onClient?: (client: ssh2.Client) => void; until?: RegExp } = {}): Promise<{ debug: string[]; output: string }> {
    const client = new ssh2.Client();
    onClient?.(client);
    const expectedKey = host.hostKeyPublic.split(' ')[1];
    const debug: string[] = [];
    const privateKey = await readFile(fleet.userKeyPath);
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve).once('error', reject).once('close', () => reject(new Error('closed before ready')));
        const hostVerifier = (key: Buffer): boolean => key.toString('base64') === expectedKey;
        client.connect({ host: host.address, port: host.port, username: fleet.user, privateKey, hostVerifier, debug: (line: string) => debug.push(line), ...config } as ssh2.ConnectConfig);
      });
      const output = await new Promise<string>((resolve, reject) =>
        client.exec('echo logged in', (error, channel) => {
          if (error) return reject(error);
          let text = '';
          channel.on('data', (chunk: Buffer) => (text += chunk.toString())).on('close', () => resolve(text));
        }),
      );
      if (until) await eventually(async () => debug.some((line) => until.test(line)), 10_000);
      return { debug, output };
    } finally {
      client.end();
    }
  }

  /** The service request, its acceptance and the first login request, in the order ssh2 sent and read them. */
  const order = (debug: string[]): string[] =>
    debug
      .filter((line) => /SERVICE_REQUEST|SERVICE_ACCEPT|Sending USERAUTH_REQUEST/.test(line))
      .map((line) => line.replace(/ \(.*$/, ''))
      .slice(0, 3);

  it('identSent: the line the connector wrote is the only one sshd reads, and the login goes on from it', async () => {
    await writeFile(host.logPath, '');
    const sock: Socket = tcpConnect({ host: host.address, port: host.port });
    sock.write('SSH-2.0-connector_wrote_this\r\n');
    const { output } = await login({ sock, ident: 'connector_wrote_this', identSent: true });
    expect(output).to.equal('logged in\n');
    const log = await readFile(host.logPath, 'utf8');
    expect(log.match(/remote software version \S+/g)).to.deep.equal(['remote software version connector_wrote_this']);
  });

  it('identSent without the ident it stands for is ignored: ssh2 writes its own line, as without the option', async () => {
    await writeFile(host.logPath, '');
    const { output } = await login({ identSent: true });
    expect(output).to.equal('logged in\n');
    expect(await readFile(host.logPath, 'utf8')).to.match(/remote software version ssh2js\S+/);
  });

  it('pipelineAuth: the first login request goes out before SERVICE_ACCEPT has come in; without it, after', async () => {
    const pipelined = await login({ pipelineAuth: true });
    expect(pipelined.output).to.equal('logged in\n');
    expect(order(pipelined.debug)).to.deep.equal(['Outbound: Sending SERVICE_REQUEST', 'Outbound: Sending USERAUTH_REQUEST', 'Inbound: Received SERVICE_ACCEPT']);
    const inTurn = await login({});
    expect(order(inTurn.debug)).to.deep.equal(['Outbound: Sending SERVICE_REQUEST', 'Inbound: Received SERVICE_ACCEPT', 'Outbound: Sending USERAUTH_REQUEST']);
  });

  it("pipelineAuth as a function is asked with the server's software version, and its no leaves the login in turn", async () => {
    const asked: string[] = [];
    const declined = await login({ pipelineAuth: (software: string) => (asked.push(software), false) });
    expect(asked).to.have.length(1);
    expect(asked[0]).to.match(/^OpenSSH_\d/);
    expect(order(declined.debug)).to.deep.equal(['Outbound: Sending SERVICE_REQUEST', 'Inbound: Received SERVICE_ACCEPT', 'Outbound: Sending USERAUTH_REQUEST']);
  });

  it('sshpool says it is `SSH-2.0-sshpool`, once per connection, written by its own connect', async () => {
    const config = await writeSshConfig(tempDir(), [hostBlock('target', host, fleet.user, loginSettings(fleet))]);
    await writeFile(host.logPath, '');
    const [result] = await runCommand(['target'], 'echo identified', { sshConfigFile: config });
    expect([result!.status, result!.stdout]).to.deep.equal(['ok', 'identified\n']);
    expect((await readFile(host.logPath, 'utf8')).match(/remote software version \S+/g)).to.deep.equal(['remote software version sshpool']);
  });

  it("hostkeys-00: announced after the login, proven only when the client listens for 'hostkeys' (sshpool does not)", async () => {
    const announced = /^Inbound: GLOBAL_REQUEST \(hostkeys-00@openssh\.com\)/;
    const proveRequest = /Sending GLOBAL_REQUEST \(hostkeys-prove-00@openssh\.com\)/;
    await writeFile(host.logPath, '');
    const unheard = await login({}, { until: announced });
    expect(unheard.output).to.equal('logged in\n');
    expect(unheard.debug.some((line) => proveRequest.test(line))).to.equal(false);
    // An IGNORE in its place, so that the TCP ACK of sshd's next small segment goes out with data.
    expect(unheard.debug.indexOf('Outbound: Sending IGNORE')).to.be.greaterThan(unheard.debug.findIndex((line) => announced.test(line)));
    expect(await readFile(host.logPath, 'utf8')).not.to.match(/rtype hostkeys-prove-00/);

    let proven: Promise<ssh2.ParsedKey[]> | undefined;
    const listened = await login({}, {
      onClient: (client) => {
        proven = new Promise((resolve) => client.once('hostkeys', resolve));
      },
      until: /^Inbound: REQUEST_SUCCESS/,
    });
    expect(listened.debug.some((line) => proveRequest.test(line))).to.equal(true);
    const keys = await proven!;
    expect(keys.map((key) => key.getPublicSSH().toString('base64'))).to.deep.equal([host.hostKeyPublic.split(' ')[1]]);
    // sshd signed for that one only.
    await eventually(async () => /rtype hostkeys-prove-00@openssh\.com/.test(await readFile(host.logPath, 'utf8')), 10_000);
  });
});
