import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand, streamCommand } from '../../src/run/host-run.js';
import type { RunOptions } from '../../src/settings/run-options.js';
import type { HostSession } from '../../src/session/host-session.js';
import { SessionCache, SessionsClosedError } from '../../src/session/session-cache.js';
import { resolveTarget } from '../../src/ssh/target-settings.js';
import type { TargetSettings } from '../../src/ssh/target-settings.js';
import { Fleet } from '../fleet/index.js';
import { documentedErrorCodes } from '../helpers/documented-codes.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';
import { eventually } from '../helpers/processes.js';
import { rejectionOf } from '../helpers/rejection.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const never = new AbortController().signal;

/** The client's side of the connection a command ran over, "127.0.0.1 41234" (from SSH_CONNECTION). */
async function clientEnd(session: HostSession): Promise<string> {
  const outcome = await session.runCommand('echo ${SSH_CONNECTION% * *}', { maxOutputBytes: 1024 });
  expect(outcome.exitCode, outcome.stderr.text()).to.equal(0);
  return outcome.stdout.text().trim();
}

describe('SessionCache against a real sshd fleet', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let caches: SessionCache[];
  const tempDir = tempDirPerTest('sshpool-sessions-');

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
  });
  after(async () => {
    await fleet?.stop();
  });
  beforeEach(() => {
    caches = [];
  });
  afterEach(() => {
    for (const cache of caches) cache.close();
  });

  async function cacheFor(options: RunOptions, maxSessionsPerConnection?: number): Promise<SessionCache> {
    const cache = await SessionCache.create(options, maxSessionsPerConnection === undefined ? {} : { maxSessionsPerConnection });
    caches.push(cache);
    return cache;
  }

  async function sshTarget(cache: SessionCache, options: RunOptions, host = inventoryHostsFor(fleet)[0]!): Promise<TargetSettings> {
    const target = resolveTarget(host, options, cache.sshConfig);
    if (target.kind !== 'ssh') throw new Error(`expected an SSH target, got ${target.kind}`);
    await cache.prepare([target]);
    return target;
  }

  const connectionsGone = (name: string) => eventually(async () => fleet.connectionPids(name).length === 0, 5_000);

  it('gives the next acquire the kept connection: the same TCP connection, the same sshd process', async () => {
    const options = isolatedOptions(fleet);
    const cache = await cacheFor(options);
    const target = await sshTarget(cache, options);
    const first = await cache.acquire(target, never);
    const firstEnd = await clientEnd(first);
    const serverProcesses = fleet.connectionPids('h01');
    cache.release(first, { keep: true });
    expect(fleet.connectionPids('h01')).to.deep.equal(serverProcesses);

    const second = await cache.acquire(target, never);
    expect(await clientEnd(second)).to.equal(firstEnd);
    expect(fleet.connectionPids('h01')).to.deep.equal(serverProcesses);
    cache.release(second, { keep: false });
    expect(await connectionsGone('h01')).to.equal(true);

    const third = await cache.acquire(target, never);
    expect(await clientEnd(third)).not.to.equal(firstEnd);
    cache.release(third, { keep: false });
  });

  it('lets two runCommand calls given one cache (the `sessions` option) share each host’s connection, kept until the cache closes', async () => {
    const options = isolatedOptions(fleet);
    const sessions = await cacheFor(options);
    const hosts = inventoryHostsFor(fleet).slice(0, 2);
    const command = 'echo ${SSH_CONNECTION% * *}';
    const first = await runCommand(hosts, command, { ...options, sessions });
    const second = await runCommand(hosts, command, { ...options, sessions });
    expect(second.map((result) => [result.status, result.stdout])).to.deep.equal(first.map((result) => ['ok', result.stdout]));
    expect(fleet.connectionPids('h01')).to.have.length(1);
    sessions.close();
    expect(await connectionsGone('h01')).to.equal(true);
    expect(await connectionsGone('h02')).to.equal(true);

    // Without a cache each run connects anew, and leaves nothing open after it.
    const own = await runCommand(hosts, command, options);
    const again = await runCommand(hosts, command, options);
    expect(again[0]!.stdout).not.to.equal(own[0]!.stdout);
    expect(await connectionsGone('h01')).to.equal(true);
  });

  it('drops a kept connection the server lost (its sshd killed and restarted) and reconnects on the next acquire', async () => {
    const options = isolatedOptions(fleet);
    const cache = await cacheFor(options);
    const host = inventoryHostsFor(fleet, [fleet.host('h03')])[0]!;
    const target = await sshTarget(cache, options, host);
    const first = await cache.acquire(target, never);
    const firstEnd = await clientEnd(first);
    cache.release(first, { keep: true });

    await fleet.kill('h03');
    await fleet.restart('h03');
    const second = await cache.acquire(target, never);
    const secondEnd = await clientEnd(second);
    expect(secondEnd).not.to.equal(firstEnd);
    expect(fleet.connectionPids('h03')).to.have.length(1);
    cache.release(second, { keep: false });
  });

  it('shares one jump connection between two targets behind it, and closes it once both are released without keep', async () => {
    const options: RunOptions = { sshConfigFile: fleet.sshConfigPath, agentSocket: null, proxyJump: 'h01' };
    const cache = await cacheFor(options);
    const [h02, h03] = await Promise.all(['h02', 'h03'].map((name) => sshTarget(cache, options, { name, vars: {}, groups: ['all', 'ungrouped'] })));
    const [a, b] = await Promise.all([cache.acquire(h02!, never), cache.acquire(h03!, never)]);
    // Both came in from h01's address, over the one connection h01's sshd serves.
    expect(await clientEnd(a!)).to.match(/^127\.0\.0\.1 /);
    expect(await clientEnd(b!)).to.match(/^127\.0\.0\.1 /);
    expect(fleet.connectionPids('h01')).to.have.length(1);

    cache.release(a!, { keep: false });
    expect(await connectionsGone('h02')).to.equal(true);
    expect(fleet.connectionPids('h01')).to.have.length(1);
    cache.release(b!, { keep: false });
    expect(await connectionsGone('h03')).to.equal(true);
    expect(await connectionsGone('h01')).to.equal(true);
  });

  it("keeps a run's own jump connection for the whole run: with one fork, the hosts behind the bastion log in to it once", async () => {
    const options: RunOptions = { sshConfigFile: fleet.sshConfigPath, agentSocket: null, proxyJump: 'h01', forks: 1 };
    const run = streamCommand(['h02', 'h03'], 'true', options);
    // Read as each host's record comes, after its session was released: the bastion's sshd session then.
    const bastionSessions = new Map<string, number[]>();
    run.on('hostDone', (result) => bastionSessions.set(result.host, fleet.connectionPids('h01')));
    const records = await run.results;
    expect(records.map((record) => record.status)).to.deep.equal(['ok', 'ok']);
    expect(bastionSessions.get('h02')).to.have.length(1);
    expect(bastionSessions.get('h03')).to.deep.equal(bastionSessions.get('h02'));
    expect(await connectionsGone('h01')).to.equal(true);
  });

  it('close() closes leased and kept connections and the jumps, and refuses later acquires with SESSIONS_CLOSED', async () => {
    const direct: RunOptions = { sshConfigFile: fleet.sshConfigPath, agentSocket: null };
    const jumped: RunOptions = { ...direct, proxyJump: 'h01' };
    const byName = (name: string) => ({ name, vars: {}, groups: ['all', 'ungrouped'] });
    const cache = await cacheFor(direct);
    const h01 = await sshTarget(cache, direct, byName('h01'));
    const h03 = await sshTarget(cache, jumped, byName('h03'));
    const leased = [await cache.acquire(h01, never), await cache.acquire(h01, never), await cache.acquire(h03, never)];
    const kept = await cache.acquire(await sshTarget(cache, direct, byName('h02')), never);
    await Promise.all([...leased, kept].map(clientEnd));
    cache.release(kept, { keep: true });
    expect(fleet.connectionPids('h01')).to.have.length(2); // h01's own, and the jump to h03
    expect(fleet.connectionPids('h02')).to.have.length(1);

    cache.close();
    for (const name of ['h01', 'h02', 'h03']) expect(await connectionsGone(name), name).to.equal(true);
    const refused = await rejectionOf(cache.acquire(h01, never));
    expect(refused).to.be.instanceOf(SessionsClosedError);
    expect((refused as SessionsClosedError).code).to.equal('SESSIONS_CLOSED');
    expect(documentedErrorCodes()).to.include('SESSIONS_CLOSED');
    const [record] = await runCommand([byName('h01')], 'true', { ...direct, sessions: cache });
    expect([record!.status, record!.error?.code]).to.deep.equal(['unreachable', 'SESSIONS_CLOSED']);
    // Handing back a lease after the close does nothing.
    for (const lease of leased) cache.release(lease, { keep: false });
  });

  describe('a host whose sshd allows 3 sessions per connection (MaxSessions 3)', () => {
    let limited: Fleet;
    before(async () => {
      limited = await Fleet.start({ hosts: 1, sshdOptions: ['MaxSessions 3'] });
    });
    after(async () => {
      await limited?.stop();
    });

    it('runs 12 leases at once over one connection, all succeeding, never more than 3 commands open at once', async () => {
      const options = isolatedOptions(limited);
      const cache = await cacheFor(options);
      const target = await sshTarget(cache, options, inventoryHostsFor(limited)[0]!);
      const dir = tempDir();
      await chmod(dir, 0o777);
      const log = path.join(dir, 'sessions.log');
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, async (_, index) => {
          const lease = await cache.acquire(target, never);
          try {
            // Each command says when it starts and ends; the overlap is read from the order of the lines.
            const command = `echo "+ ${index}" >> ${log}; sleep 0.2; echo "- ${index}" >> ${log}; echo \${SSH_CONNECTION% * *}`;
            return await lease.runCommand(command, { maxOutputBytes: 1024 });
          } finally {
            cache.release(lease, { keep: false });
          }
        }),
      );
      expect(outcomes.map((outcome) => [outcome.exitCode, outcome.error?.code ?? null])).to.deep.equal(outcomes.map(() => [0, null]));
      expect(new Set(outcomes.map((outcome) => outcome.stdout.text())).size, 'one connection for all').to.equal(1);
      const lines = (await readFile(log, 'utf8')).trim().split('\n');
      expect(lines).to.have.length(24);
      let open = 0;
      let most = 0;
      for (const line of lines) {
        open += line.startsWith('+') ? 1 : -1;
        most = Math.max(most, open);
      }
      expect(most).to.equal(3);
    });
  });
});
