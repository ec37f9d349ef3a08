import { connect } from 'node:net';
import { expect } from 'chai';
import { runCommand } from '../../src/run/host-run.js';
import { Fleet, blackholeUnavailable, startBlackhole } from '../fleet/index.js';
import type { Blackhole } from '../fleet/index.js';
import { runTool } from '../fleet/run-tool.js';
import { inventoryHost } from '../helpers/fleet-hosts.js';

/** Whether a TCP connection to the address is still unanswered (neither accepted nor refused) after `ms`. */
function unansweredFor(address: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(true);
    }, ms);
    const answered = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    };
    socket.once('connect', answered);
    socket.once('error', answered);
  });
}

/**
 * A dead target behind a live jump host: the jump (a fleet sshd on loopback) is asked to
 * forward to an address whose SYNs are dropped, so its connect() hangs for the kernel's
 * ~130 s and ssh2's forwardOut, which has no timer, would wait that long.
 */
const DEAD_TARGETS = 4;

describe('a dead target behind a ProxyJump host (SYNs dropped in a network namespace)', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let blackhole: Blackhole | undefined;

  before(async function () {
    const why = await blackholeUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    fleet = await Fleet.start({ hosts: 1 });
    blackhole = await startBlackhole(22, DEAD_TARGETS);
  });
  after(async () => {
    await blackhole?.remove();
    await fleet?.stop();
  });

  const deadHost = () => inventoryHost('dead', blackhole!.address, blackhole!.port, fleet);
  const options = (connectTimeoutMs: number) => ({ sshConfigFile: fleet.sshConfigPath, knownHostsFiles: [fleet.knownHostsPath], agentSocket: null, proxyJump: 'h01', connectTimeoutMs });

  it('drops the SYNs indeed: a connection there is neither accepted nor refused', async () => {
    expect(await unansweredFor(blackhole!.address, blackhole!.port, 700)).to.equal(true);
  });

  it('fails with CONNECT_TIMEOUT within the connect timeout, as ssh -J with ConnectTimeout does', async () => {
    const started = Date.now();
    const [result] = await runCommand([deadHost()], 'true', options(2000));
    const elapsed = Date.now() - started;
    expect(result, JSON.stringify(result)).to.include({ status: 'unreachable', host: 'dead' });
    expect(result!.error!.code).to.equal('CONNECT_TIMEOUT');
    expect(result!.error!.message).to.match(/^dead: no SSH session within 2000 ms/);
    expect(elapsed).to.be.within(1900, 4000);

    const sshStarted = Date.now();
    const ssh = await runTool('ssh', ['-F', fleet.sshConfigPath, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', '-J', 'h01', '-p', String(blackhole!.port), blackhole!.address, 'true']);
    expect(ssh.exitCode).to.equal(255);
    expect(ssh.stderr).to.match(/timed out/i);
    expect(Date.now() - sshStarted).to.be.below(5000);
  });

  it('is cut short by the stop signal while the forward is pending, long before the connect timeout', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 500);
    const [result] = await runCommand([deadHost()], 'true', { ...options(30_000), signal: controller.signal });
    expect(Date.now() - started).to.be.below(2000);
    expect(result).to.include({ status: 'skipped' });
    expect(result!.error!.code).to.equal('ABORTED');
  });

  it("takes no other target's startup: dead targets behind one jump wait side by side, not in turn (--jump-startups 1)", async () => {
    const dead = Array.from({ length: DEAD_TARGETS }, (_, index) => inventoryHost(`dead${index}`, blackhole!.address, blackhole!.port + index, fleet));
    const live = inventoryHost('live', fleet.host('h01').address, fleet.host('h01').port, fleet);
    const started = Date.now();
    const results = await runCommand([...dead, live], 'echo ran', { ...options(2000), jumpStartups: 1, forks: DEAD_TARGETS + 1 });
    const elapsed = Date.now() - started;
    expect(results.map((result) => [result.host, result.status, result.error?.code])).to.deep.equal([
      ...dead.map((host) => [host.name, 'unreachable', 'CONNECT_TIMEOUT']),
      ['live', 'ok', undefined],
    ]);
    expect(results.at(-1)!.stdout).to.equal('ran\n');
    // In turn, four dead targets would take four connect timeouts (8 s), and the live host would wait behind them.
    expect(elapsed).to.be.below(5000);
  });
});
