import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { HostResult } from '../../src/run/host-result.js';
import { closedPort } from '../fleet/index.js';
import { fleetCli } from '../helpers/fleet-cli.js';

/**
 * A port in front of a fleet host whose first connection is closed before the SSH banner (what
 * sshd does past MaxStartups), the later ones passed through to the host.
 */
async function dropFirstConnection(port: number, to: number): Promise<{ server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    if (connections === 1) return socket.destroy();
    const upstream = createConnection({ host: '127.0.0.1', port: to });
    socket.pipe(upstream).pipe(socket);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, connections: () => connections };
}

describe('--retries through the real binary against a real sshd fleet', function () {
  this.timeout(60_000);
  const cli = fleetCli(2, 'sshpool-retries-');
  const { sshpool, inventory, base, records } = cli;

  it('a host whose first connection is dropped before the banner is retried and then runs: attempt 2, the first error kept (json, results file)', async () => {
    const port = await closedPort();
    const dropping = await dropFirstConnection(port, cli.fleet.host('h01').port);
    try {
      const knownHosts = path.join(cli.scratch, 'known_hosts_dropping');
      await writeFile(knownHosts, `[127.0.0.1]:${port} ${cli.fleet.host('h01').knownHostKey}\n`);
      const file = await inventory('dropped', { dropped: { ...cli.fleetHosts.h01, ansible_port: port }, h02: cli.fleetHosts.h02! });
      const resultsFile = path.join(cli.scratch, 'dropped-results.json');
      const args = ['run', ...base(file), '--known-hosts', knownHosts, '--retries', '2', '--retry-delay', '0.05', '--results', resultsFile, '--', 'echo ran'];
      const { code, stdout, stderr } = await sshpool(args);
      expect(code, stderr).to.equal(0);
      const [dropped, h02] = records(stdout);
      expect([dropped!.status, dropped!.stdout, dropped!.attempt]).to.deep.equal(['ok', 'ran\n', 2]);
      // A close before the banner reads as a reset or a failed handshake, depending on whether the FIN or the RST wins.
      expect(dropped!.previousErrors).to.have.length(1);
      expect(dropped!.previousErrors![0]!.code).to.be.oneOf(['CONNECT_RESET', 'HANDSHAKE_FAILED']);
      expect(dropped!.previousErrors![0]!.message).to.match(/^dropped: (connection closed during the SSH handshake|SSH handshake failed|connect: connection reset)/);
      expect(h02!.attempt).to.equal(1);
      expect(h02).to.not.have.property('previousErrors');
      expect(dropping.connections()).to.equal(2);
      const saved = JSON.parse(await readFile(resultsFile, 'utf8')) as { results: HostResult[] };
      expect(saved.results[0]!.previousErrors).to.deep.equal(dropped!.previousErrors);
    } finally {
      dropping.server.close();
    }
  });

  it('without --retries the same drop is the host’s record (unreachable, attempt 1)', async () => {
    const port = await closedPort();
    const dropping = await dropFirstConnection(port, cli.fleet.host('h01').port);
    try {
      const file = await inventory('dropped-once', { dropped: { ...cli.fleetHosts.h01, ansible_port: port } });
      const { code, stdout } = await sshpool(['run', ...base(file), '--', 'true']);
      expect(code).to.equal(4);
      const [dropped] = records(stdout);
      expect([dropped!.status, dropped!.attempt, dropped!.connectFailed]).to.deep.equal(['unreachable', 1, true]);
      expect(dropped!.error!.code).to.be.oneOf(['CONNECT_RESET', 'HANDSHAKE_FAILED']);
    } finally {
      dropping.server.close();
    }
  });

  it('a command that started is never run again: a non-zero exit, and a connection lost mid-command (sshd killed)', async () => {
    const file = await inventory('started', { h01: cli.fleetHosts.h01!, h02: cli.fleetHosts.h02! });
    // The login user (sshpool-test as root) writes here.
    const shared = await mkdtemp(path.join(tmpdir(), 'sshpool-retries-ran-'));
    await chmod(shared, 0o777);
    const marker = path.join(shared, 'ran-on-port');
    const ranOn = (port: number): Promise<string> => readFile(`${marker}-${port}`, 'utf8').catch(() => '');
    const [h01Port, h02Port] = [cli.fleet.host('h01').port, cli.fleet.host('h02').port];
    // Each run of the command appends a line to a file named by the sshd port it runs behind.
    const command = `port=\${SSH_CONNECTION##* }; echo x >> ${marker}-$port; [ $port = ${h01Port} ] && exit 3; sleep 30`;
    const run = sshpool(['run', ...base(file), '--retries', '3', '--retry-delay', '0.05', '--', command]);
    for (let polls = 0; (await ranOn(h02Port)) === '' && polls < 200; polls++) await new Promise((resolve) => setTimeout(resolve, 50));
    await cli.fleet.kill('h02');
    const { stdout } = await run;
    await cli.fleet.restart('h02');
    const [h01, h02] = records(stdout);
    expect([h01!.status, h01!.exitCode, h01!.attempt]).to.deep.equal(['failed', 3, 1]);
    expect([h02!.status, h02!.attempt, h02!.connectFailed]).to.deep.equal(['unreachable', 1, undefined]);
    expect(h02!.error!.code).to.be.oneOf(['CONNECTION_LOST', 'CONNECT_RESET']);
    expect([await ranOn(h01Port), await ranOn(h02Port)]).to.deep.equal(['x\n', 'x\n'], 'each command ran once');
    await rm(shared, { recursive: true, force: true });
  });

  it('Ctrl-C during a 60 s backoff stops at once: the host keeps its last error, the host after it is recorded too', async () => {
    const port = await closedPort();
    // Every connection closed before the banner, as sshd past MaxStartups does: each attempt is seen here.
    let attempts = 0;
    const dropping = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(port, '127.0.0.1', resolve));
    try {
      const file = await inventory('backoff-interrupted', { dropped: { ansible_host: '127.0.0.1', ansible_port: port }, h01: cli.fleetHosts.h01! });
      let interruptedAt = 0;
      const args = ['run', ...base(file), '-f', '1', '--retries', '5', '--retry-delay', '60', '--', 'sleep 30'];
      const { code, stdout, stderr } = await sshpool(args, (child) => {
        const poll = setInterval(() => {
          if (attempts === 0) return;
          clearInterval(poll);
          // h01 takes the slot the backoff left; let it connect first.
          setTimeout(() => {
            interruptedAt = Date.now();
            child.kill('SIGINT');
          }, 500);
        }, 10);
      });
      expect(Date.now() - interruptedAt, stderr).to.be.below(10_000, 'far below the backoff still to wait');
      expect(stdout, `exit ${code}: ${stderr}`).to.not.equal('');
      const [dropped, h01] = records(stdout);
      expect([dropped!.status, dropped!.connectFailed]).to.deep.equal(['unreachable', true]);
      expect(dropped!.error!.code).to.be.oneOf(['CONNECT_RESET', 'HANDSHAKE_FAILED']);
      // The jitter may have let one retry through before the Ctrl-C: the earlier errors are those before the last attempt.
      expect(dropped!.attempt).to.equal(attempts);
      expect(dropped!.previousErrors?.length ?? 0).to.equal(dropped!.attempt - 1);
      // h01 took the slot during the backoff: killed running (failed) or cut short while connecting (skipped).
      expect(h01!.status).to.be.oneOf(['failed', 'skipped']);
      expect(h01!.error?.code).to.equal('ABORTED');
      expect(code).to.equal(3);
    } finally {
      dropping.close();
    }
  });

  it('--batch 1: a batch whose every host failed ends the run, later batches skipped with BATCH_FAILED (Ansible ends the play so)', async () => {
    const down = { ansible_host: '127.0.0.1', ansible_port: await closedPort() };
    const file = await inventory('batch-failed', { h01: cli.fleetHosts.h01!, down, h02: cli.fleetHosts.h02! });
    const { code, stdout } = await sshpool(['run', ...base(file), '--batch', '1', '--', 'true']);
    expect(code).to.equal(4);
    expect(records(stdout).map((result) => [result.host, result.status, result.error?.code ?? null, result.batch])).to.deep.equal([
      ['h01', 'ok', null, 1],
      ['down', 'unreachable', 'CONNECT_REFUSED', 2],
      ['h02', 'skipped', 'BATCH_FAILED', 3],
    ]);
  });
});
